import Foundation

/// Who annotates a project: the first interactive session holds an exclusive `flock` on
/// `session.lock`; later ones open read-only. The kernel drops the lock when the holder exits or
/// dies, so a crashed session never leaves the project locked.
public final class ProjectLock: @unchecked Sendable {
    private let descriptor: Int32

    /// Who holds the lock, as written in the lock file ("alice@scanserver, pid 4242").
    public let holder: String?
    public var isHeld: Bool { holder == nil }
    /// True when the project cannot be written at all (permissions, a read-only mount): nobody holds
    /// the lock, and this session is read-only.
    public let isUnwritable: Bool

    /// Why a session without the lock is read-only, as the end of "read-only: …".
    public var refusal: String? {
        if isUnwritable { return "you have no permission to write in this project" }
        return holder.map { "\($0) is annotating this project" }
    }

    /// Tries to take the lock of the project at `url`. In a project this process cannot write the
    /// lock is never held (`isUnwritable`), so the session opens read-only.
    public init(project url: URL) throws(ProjectError) {
        let path = url.appendingPathComponent("session.lock").path
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            let e = errno
            guard e == EACCES || e == EROFS || e == EPERM else {
                throw .unwritable(url.path, "cannot open session.lock: \(String(cString: strerror(e)))")
            }
            descriptor = -1
            holder = "nobody"
            isUnwritable = true
            return
        }
        isUnwritable = false
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
        guard descriptor >= 0 else { return }
        if isHeld { flock(descriptor, LOCK_UN) }
        close(descriptor)
    }
}
