import Foundation
import GRDB
import TrowelVolume

/// A project folder (`scan.trowel/`): the scan as OME-Zarr, and `project.sqlite` holding the
/// source description, voxel size, classes and — as later layers add them — labels, models and jobs.
public final class Project: Sendable {
    public static let databaseName = "project.sqlite"
    public static let volumeName = "volume.zarr"

    public let url: URL
    /// WAL-mode pool: readers never block the writer, and a crash mid-write loses nothing committed.
    /// A read-only connection when the project cannot be written (`isReadOnly`).
    public let database: any DatabaseWriter
    /// True when this process may not write in the project folder or its database (permissions, a
    /// read-only mount): it is opened read-only, and commands that must write say so (`requireWritable`).
    public let isReadOnly: Bool

    public var volumeURL: URL { url.appendingPathComponent(Self.volumeName) }
    public var name: String { url.lastPathComponent }

    /// Several processes (shards of one segmentation, a viewer and a headless command) may open a
    /// project at the same instant: wait for each other's writes instead of failing as "locked".
    static var configuration: Configuration {
        var c = Configuration()
        c.busyMode = .timeout(10)
        return c
    }

    private init(url: URL, database: any DatabaseWriter, isReadOnly: Bool = false) {
        self.url = url
        self.database = database
        self.isReadOnly = isReadOnly
    }

    /// A database error as a one-line project error: a truncated or corrupt file is `damaged` (and
    /// the message points to `trowel repair`).
    static func failure(_ path: String, _ error: any Error) -> ProjectError {
        if let e = error as? DatabaseError, [.SQLITE_CORRUPT, .SQLITE_NOTADB].contains(e.resultCode) {
            return .damaged(path, "\(e.message ?? "\(e)")")
        }
        return .database(path, "\(error)")
    }

    /// Throws a one-line error saying that `action` must write to the project, when it is read-only.
    public func requireWritable(for action: String) throws(ProjectError) {
        if isReadOnly { throw .readOnly(url.path, action) }
    }

    /// Opens an existing project, bringing its database schema up to date.
    public static func open(at url: URL) throws(ProjectError) -> Project {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw .missing(url.path)
        }
        let databaseURL = url.appendingPathComponent(databaseName)
        guard isDirectory.boolValue, FileManager.default.fileExists(atPath: databaseURL.path) else {
            throw .notAProject(url.path)
        }
        // An empty file would be taken for a new database and given an empty schema: it is a
        // project whose database was lost (a full disk, a bad copy), for `trowel repair`.
        if (try? FileManager.default.attributesOfItem(atPath: databaseURL.path)[.size] as? Int) == 0 {
            throw .damaged(url.path, "the file is empty")
        }
        if access(url.path, W_OK) != 0 || access(databaseURL.path, W_OK) != 0 {
            return try openReadOnly(at: url, database: databaseURL)
        }
        do {
            let pool = try DatabasePool(path: databaseURL.path, configuration: Self.configuration)
            let migrator = ProjectSchema.migrator
            if try pool.read({ try migrator.hasBeenSuperseded($0) }) {
                throw ProjectError.newerSchema(url.path)
            }
            try migrator.migrate(pool)
            return Project(url: url, database: pool)
        } catch let error as ProjectError {
            throw error
        } catch {
            throw Self.failure(url.path, error)
        }
    }

    /// Opens a project this process may not write: a read-only connection that sees the WAL when an
    /// owner's session has it open, else (no `-shm` can be created in a read-only folder) the
    /// database file as it is, immutable.
    private static func openReadOnly(at url: URL, database databaseURL: URL) throws(ProjectError) -> Project {
        var configuration = Self.configuration
        configuration.readonly = true
        let path = databaseURL.path
        let wal = FileManager.default.fileExists(atPath: path + "-wal") && FileManager.default.fileExists(atPath: path + "-shm")
        let immutable = "file:" + (path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? path) + "?immutable=1"
        var failure: Error?
        for candidate in wal ? [path, immutable] : [immutable] {
            do {
                let queue = try DatabaseQueue(path: candidate, configuration: configuration)
                let migrator = ProjectSchema.migrator
                if try queue.read({ try migrator.hasBeenSuperseded($0) }) { throw ProjectError.newerSchema(url.path) }
                guard try queue.read({ try migrator.hasCompletedMigrations($0) }) else { throw ProjectError.olderSchemaReadOnly(url.path) }
                _ = try queue.read { try ProjectRecord.fetchOne($0) }
                return Project(url: url, database: queue, isReadOnly: true)
            } catch let error as ProjectError {
                throw error
            } catch {
                failure = error
            }
        }
        throw .database(url.path, "cannot be read (\(failure.map { "\($0)" } ?? "unknown error")); no permission to write in the project either")
    }

    /// Writes a fresh database into `url` (which must exist) with `record` and the default classes.
    static func initialize(at url: URL, record: ProjectRecord, classes: [LabelClass] = LabelClass.defaults) throws(ProjectError) -> Project {
        do {
            let pool = try DatabasePool(path: url.appendingPathComponent(databaseName).path, configuration: Self.configuration)
            try ProjectSchema.migrator.migrate(pool)
            try pool.write { db in
                try record.insert(db)
                for c in classes { try c.insert(db) }
            }
            return Project(url: url, database: pool)
        } catch {
            throw Self.failure(url.path, error)
        }
    }

    /// Closes the database (checkpointing the WAL), e.g. before the folder is moved.
    public func close() throws(ProjectError) {
        do { try database.close() } catch { throw Self.failure(url.path, error) }
    }

    /// The scan's description, shape, voxel size and value range.
    public func record() throws(ProjectError) -> ProjectRecord {
        do {
            guard let r = try database.read({ try ProjectRecord.fetchOne($0) }) else {
                throw ProjectError.damaged(url.path, "the project table is empty")
            }
            return r
        } catch let error as ProjectError {
            throw error
        } catch {
            throw Self.failure(url.path, error)
        }
    }

    /// Adds a class with the next free label value; its colour defaults to `palette[value - 1]`.
    public func addClass(name: String, color: String?, palette: [String]) throws(ProjectError) -> LabelClass {
        do {
            return try database.write { db in
                guard try LabelClass.filter(Column("name") == name).fetchCount(db) == 0 else {
                    throw ProjectError.classExists(name)
                }
                let used = Set(try Int.fetchAll(db, sql: "SELECT id FROM label_class"))
                guard let id = (1...255).first(where: { !used.contains($0) }) else { throw ProjectError.tooManyClasses }
                let c = LabelClass(id: id, name: name, color: color ?? (id <= palette.count ? palette[id - 1] : "#a0a0a0"))
                try c.insert(db)
                return c
            }
        } catch let error as ProjectError {
            throw error
        } catch {
            throw Self.failure(url.path, error)
        }
    }

    /// Renames class `id` or gives it a new colour.
    public func updateClass(id: Int, name: String? = nil, color: String? = nil) throws(ProjectError) {
        do {
            try database.write { db in
                guard var c = try LabelClass.fetchOne(db, key: id) else { throw ProjectError.noSuchClass(id) }
                if let name {
                    guard try LabelClass.filter(Column("name") == name && Column("id") != id).fetchCount(db) == 0 else {
                        throw ProjectError.classExists(name)
                    }
                    c.name = name
                }
                if let color { c.color = color }
                try c.update(db)
            }
        } catch let error as ProjectError {
            throw error
        } catch {
            throw Self.failure(url.path, error)
        }
    }

    /// The class table, by label value.
    public func classes() throws(ProjectError) -> [LabelClass] {
        do {
            return try database.read { try LabelClass.order(Column("id")).fetchAll($0) }
        } catch {
            throw Self.failure(url.path, error)
        }
    }
}
