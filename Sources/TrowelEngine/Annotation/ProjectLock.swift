import Foundation

/// Who annotates a project: the first interactive session holds an exclusive `flock` on
/// `session.lock`; later ones open read-only. The kernel drops the lock when the holder exits or
/// dies, so a crashed session never leaves the project locked.
public final class ProjectLock: @unchecked Sendable {
    private let descriptor: Int32

    /// Who holds the lock, as written in the lock file ("alice@scanserver, pid 4242").
    public let holder: String?
    public var isHeld: Bool { holder == nil }

    /// Tries to take the lock of the project at `url`.
    public init(project url: URL) throws(ProjectError) {
        let path = url.appendingPathComponent("session.lock").path
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .unwritable(url.path, "cannot open session.lock: \(String(cString: strerror(errno)))") }
        descriptor = fd
        if flock(fd, LOCK_EX | LOCK_NB) == 0 {
            let me = "\(ProcessInfo.processInfo.environment["USER"] ?? "someone")@\(ProcessInfo.processInfo.hostName), pid \(getpid())"
            ftruncate(fd, 0)
            _ = me.withCString { pwrite(fd, $0, strlen($0), 0) }
            holder = nil
        } else {
            var buffer = [UInt8](repeating: 0, count: 256)
            let n = pread(fd, &buffer, buffer.count, 0)
            holder = n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self) : "another session"
        }
    }

    deinit {
        if isHeld { flock(descriptor, LOCK_UN) }
        close(descriptor)
    }
}
