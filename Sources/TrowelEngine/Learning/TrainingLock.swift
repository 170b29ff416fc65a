import Foundation
import GRDB
import TrowelML

/// One training at a time per project, whichever session or command asks: an exclusive `flock` on
/// `training.lock`, held while a model is trained and scored. The file names the holder
/// ("alice@host, pid 42") for whoever waits; the kernel drops the lock if the trainer dies.
public final class TrainingLock: @unchecked Sendable {
    public static let fileName = "training.lock"
    private let descriptor: Int32

    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }

    /// Takes the lock of `project`, waiting while another process or session trains: `waiting` is
    /// told once who holds it, `isCancelled` is asked every 0.1 s. Nil when cancelled while waiting.
    public static func acquire(project: Project, author: String = AnnotationSession.currentUser,
                               isCancelled: () -> Bool = { false }, waiting: (String) -> Void = { _ in }) throws(ProjectError) -> TrainingLock? {
        let url = project.url.appendingPathComponent(fileName)
        let fd = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .unwritable(project.url.path, "cannot open \(fileName): \(String(cString: strerror(errno)))") }
        var told = false
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else {
                let why = String(cString: strerror(errno))
                close(fd)
                throw .unwritable(project.url.path, "cannot lock \(fileName): \(why)")
            }
            if !told {
                var buffer = [UInt8](repeating: 0, count: 256)
                let n = pread(fd, &buffer, buffer.count, 0)
                waiting(n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self) : "another session")
                told = true
            }
            if isCancelled() {
                close(fd)
                return nil
            }
            usleep(100_000)
        }
        let me = "\(author)@\(ProcessInfo.processInfo.hostName), pid \(getpid())"
        ftruncate(fd, 0)
        _ = me.withCString { pwrite(fd, $0, strlen($0), 0) }
        return TrainingLock(descriptor: fd)
    }
}

extension ModelLibrary {
    /// How many models the project holds (cheap: for polling whether another session trained one).
    public func count() throws -> Int {
        try project.database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM model") ?? 0 }
    }

    /// The ids of the models saved so far (cheap: no record is decoded).
    public func ids() throws -> Set<String> {
        Set(try project.database.read { db in try String.fetchAll(db, sql: "SELECT id FROM model") })
    }

    /// The newest model not among `known` that learned from exactly the strokes that are not undone
    /// now: what another session trained while this one waited for the training lock.
    public func reusable(besides known: Set<String>) throws -> (RandomForest, ModelRecord)? {
        let strokes = try project.database.read { db in try Int.fetchAll(db, sql: "SELECT id FROM stroke WHERE undone = 0 ORDER BY id") }
        guard let newest = try records().last(where: { !known.contains($0.id) }), newest.strokeIDs.sorted() == strokes else { return nil }
        return try load(newest.id)
    }
}
