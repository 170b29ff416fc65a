import Foundation
import TrowelVolume

/// One person's interactive session on a project: the scan to look at, the labels to paint, the
/// tasks and the classes. Any number of sessions paint one project at once (their writes are
/// serialised per chunk, see `LabelStore`); only a project this process cannot write opens read-only.
public final class AnnotationSession {
    public let project: Project
    public let record: ProjectRecord
    public let volume: MultiscaleVolume
    public let labels: LabelStore
    public let tasks: TaskStore
    public let author: String
    private let access: ProjectAccess

    /// True when the project cannot be written here; painting is then refused.
    public var isReadOnly: Bool { !access.isWritable || project.isReadOnly }
    /// Why this session is read-only (the project cannot be written), nil when it may paint.
    public var readOnlyReason: String? { isReadOnly ? (access.refusal ?? "you have no permission to write in this project") : nil }

    public init(project: Project, author: String = AnnotationSession.currentUser) throws {
        self.project = project
        self.author = author
        record = try project.record()
        access = try ProjectAccess(project: project.url)
        volume = try MultiscaleVolume.open(at: project.volumeURL)
        labels = try LabelStore(project: project, shape: volume.shape, author: author, writable: access.isWritable && !project.isReadOnly)
        tasks = TaskStore(project: project, shape: volume.shape)
    }

    /// The login name strokes are recorded under: $USER, else $LOGNAME, else the password database.
    public static var currentUser: String {
        let env = ProcessInfo.processInfo.environment
        if let u = env["USER"] ?? env["LOGNAME"], !u.isEmpty { return u }
        if let pw = getpwuid(getuid()), let name = pw.pointee.pw_name { return String(cString: name) }
        return "uid \(getuid())"
    }

    /// Scan values of an in-plane region of slice `index` (full-resolution index) at pyramid `level`,
    /// rows and columns in that level's coordinates.
    public func values(axis: Axis, index: Int, level: Int, rows: Range<Int>, columns: Range<Int>) throws -> [Float] {
        let l = min(max(0, level), volume.levels.count - 1)
        let shape = volume.levels[l].shape
        let box = Box.slice(axis: axis, at: min(shape[axis] - 1, index >> l), of: shape, rows: rows, columns: columns)
        return try volume.read(box, level: l).converted(to: Float.self).elements
    }

    /// Paints (written through to disk). Refused in a read-only session.
    public func paint(_ dabs: [PaintDab], newStroke: Bool) throws {
        guard !isReadOnly else { throw SessionError.readOnly(readOnlyReason ?? "another session is annotating this project") }
        try labels.paint(dabs, newStroke: newStroke) { box in try self.volume.read(box).converted(to: Float.self) }
    }
}

/// Why a session refused something.
public enum SessionError: Error, CustomStringConvertible {
    case readOnly(String)

    public var description: String {
        switch self {
        case .readOnly(let reason): return "read-only: \(reason)"
        }
    }
}
