import Foundation

/// Whether this process may paint a project. Every session may — several people annotate one scan
/// at once, their writes serialised chunk by chunk (`LabelChunkLocks`) — except where the project
/// cannot be written at all (permissions, a read-only mount): that session opens read-only.
public struct ProjectAccess: Sendable {
    /// True when the project cannot be written (no permission, a read-only mount).
    public let isUnwritable: Bool
    public var isWritable: Bool { !isUnwritable }

    /// Why the session is read-only, as the end of "read-only: …"; nil when it may paint.
    public var refusal: String? { isUnwritable ? "you have no permission to write in this project" : nil }

    /// Checks that this process can create and write files in the project at `url`.
    public init(project url: URL) throws(ProjectError) {
        let path = url.appendingPathComponent(LabelChunkLocks.fileName).path
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            let e = errno
            guard e == EACCES || e == EROFS || e == EPERM else {
                throw .unwritable(url.path, "cannot open \(LabelChunkLocks.fileName): \(String(cString: strerror(e)))")
            }
            isUnwritable = true
            return
        }
        close(fd)
        isUnwritable = access(url.path, W_OK) != 0
    }
}
