import Foundation

/// One whole-volume segmentation per model at a time, across sessions: an exclusive `flock` on
/// `locks/segment-<model id>.lock`, held while the viewer's `S` job runs (the file names the
/// holder). A second `S` on the same model, in any session, finds it taken and shows that job instead.
public final class SegmentationLock: @unchecked Sendable {
    private let descriptor: Int32

    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }

    static func url(projectURL: URL, id: String) -> URL {
        projectURL.appendingPathComponent("locks").appendingPathComponent("segment-\(id).lock")
    }

    /// Takes the lock of model `id`'s segmentation, or says who holds it.
    public static func acquire(projectURL: URL, id: String, author: String = AnnotationSession.currentUser)
        throws(ProjectError) -> Result<SegmentationLock, Held> {
        let url = url(projectURL: projectURL, id: id)
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let fd = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .unwritable(projectURL.path, "cannot open locks/\(url.lastPathComponent): \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            var buffer = [UInt8](repeating: 0, count: 256)
            let n = pread(fd, &buffer, buffer.count, 0)
            close(fd)
            return .failure(Held(holder: n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self) : "another session"))
        }
        let me = "\(author)@\(ProcessInfo.processInfo.hostName), pid \(getpid())"
        ftruncate(fd, 0)
        _ = me.withCString { pwrite(fd, $0, strlen($0), 0) }
        return .success(SegmentationLock(descriptor: fd))
    }

    /// Someone else segments with this model.
    public struct Held: Error, Sendable {
        public var holder: String
    }
}
