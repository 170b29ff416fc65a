import Foundation
import GRDB
import TrowelML
import TrowelVolume

/// `trowel repair P`: rebuilds `project.sqlite` when it is truncated or corrupt, from what is intact
/// on disk. The damaged file (and its -wal/-shm) is moved aside, never deleted; a fresh database
/// gets the schema of the migrations, the project record from volume.zarr (shape, dtype, voxel
/// size; the value range measured again), the classes (from the damaged file if its table can
/// still be read, else from the models' class tables, else the defaults), every model whose
/// `models/<id>.json` and `.forest` load, and whatever rows of the other tables the damaged file
/// still yields. Labels (labels.zarr) and segmentations (their folders) live outside the database
/// and are left as they are. What could not be recovered is one line each in the report.
public struct ProjectRepair: Sendable {
    public struct Report: Encodable, Sendable, Equatable {
        public var project: String
        /// False when the database was healthy and nothing was done.
        public var repaired: Bool
        /// Why the database was judged damaged (nil when healthy).
        public var damage: String?
        /// Where the damaged database now is.
        public var movedAside: String?
        /// One line per thing rebuilt or kept.
        public var recovered: [String]
        /// One line per thing that could not be recovered.
        public var lost: [String]

        enum CodingKeys: String, CodingKey {
            case project, repaired, damage, movedAside = "moved_aside", recovered, lost
        }
    }

    public let url: URL

    public init(url: URL) {
        self.url = url.standardizedFileURL
    }

    var databaseURL: URL { url.appendingPathComponent(Project.databaseName) }

    /// Why the database cannot be used, or nil when it opens, passes SQLite's check and holds the
    /// project record. Reads only: a damaged file is never migrated or written by the check.
    public func damage() -> String? {
        let path = databaseURL.path
        guard FileManager.default.fileExists(atPath: path) else { return "project.sqlite is missing" }
        do {
            var configuration = Configuration()
            configuration.readonly = true
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            defer { try? queue.close() }
            return try queue.read { db -> String? in
                let check = try String.fetchAll(db, sql: "PRAGMA quick_check")
                guard check == ["ok"] else { return "SQLite's check failed: \(check.prefix(2).joined(separator: "; "))" }
                guard try ProjectSchema.migrator.hasCompletedMigrations(db) else {
                    return try db.tableExists("project") ? nil : "it holds no Trowel schema"
                }
                guard try ProjectRecord.fetchOne(db) != nil else { return "the project table is empty" }
                _ = try LabelClass.fetchAll(db)
                return nil
            }
        } catch {
            return "\(error)"
        }
    }

    /// Repairs the project if its database is damaged; a healthy one is left alone (`repaired` false).
    public func run() throws -> Report {
        let fm = FileManager.default
        var isFolder: ObjCBool = false
        guard fm.fileExists(atPath: url.path, isDirectory: &isFolder), isFolder.boolValue else { throw RepairError.missing(url.path) }
        guard let damage = damage() else {
            return Report(project: url.path, repaired: false, damage: nil, movedAside: nil, recovered: [], lost: [])
        }
        // The scan must be readable before anything is moved: without it there is nothing to rebuild.
        let volume: MultiscaleVolume
        do { volume = try MultiscaleVolume.open(at: url.appendingPathComponent(Project.volumeName)) } catch {
            throw RepairError.noVolume(url.path, "\(error)")
        }
        guard access(url.path, W_OK) == 0 else { throw RepairError.readOnly(url.path) }

        let aside = try moveAside()
        var recovered: [String] = [], lost: [String] = []
        let salvage = Salvage(path: aside.path)
        do {
            // The project record: the damaged file's if it still reads, else measured from volume.zarr.
            let record: ProjectRecord
            if let old = salvage.record, old.shape == volume.shape, old.dtype == volume.dtype.rawValue {
                record = old
                recovered.append("the project record (scan description, voxel size, value range) from the damaged database")
            } else {
                record = try Self.record(from: volume)
                recovered.append("the project record from volume.zarr: \(volume.shape) \(volume.dtype.numpyName), voxel size \(volume.voxelSize), value range measured again")
                lost.append("the scan's source description (trowel info shows 'rebuilt by trowel repair' instead)")
            }
            let models = loadModels()
            let classes: [LabelClass]
            if let old = salvage.classes, !old.isEmpty {
                classes = old
                recovered.append("\(old.count) classes from the damaged database: \(old.map(\.name).joined(separator: ", "))")
            } else {
                classes = Self.classes(from: models.records)
                let origin = models.records.isEmpty ? "the defaults (no model to read them from)" : "the models' class tables"
                recovered.append("\(classes.count) classes from \(origin): \(classes.map(\.name).joined(separator: ", "))")
                lost.append("class colours" + (models.records.isEmpty ? " and any classes added after bone and matrix" : "") + " (set again with :class in the viewer)")
            }
            let project = try Project.initialize(at: url, record: record, classes: classes)
            defer { try? project.close() }
            try project.database.write { db in
                for r in models.records {
                    let json = String(decoding: try ModelLibrary.encoder.encode(r), as: UTF8.self)
                    try db.execute(sql: "INSERT OR REPLACE INTO model (id, created_at, training_voxels, record) VALUES (?, ?, ?, ?)",
                                   arguments: [r.id, r.createdAt, r.trainingVoxels, json])
                }
            }
            if !models.records.isEmpty {
                recovered.append("\(models.records.count) model(s) re-registered from models/: \(models.records.map(\.id).joined(separator: ", "))")
            }
            lost += models.unreadable.map { "model \($0.id): \($0.why); it was left in models/ but not registered" }
            let segmentations = SegmentationStore.ids(in: url)
            if !segmentations.isEmpty {
                let finished = segmentations.filter { SegmentationStore(projectURL: url, id: $0).isComplete }.count
                recovered.append("\(segmentations.count) segmentation(s) in segmentations/ (\(finished) complete), untouched")
            }
            if fm.fileExists(atPath: url.appendingPathComponent("labels.zarr").path) {
                recovered.append("the labels in labels.zarr, untouched")
            }
            for table in Salvage.historyTables {
                switch try salvage.copy(table.name, into: project) {
                case nil: lost.append(table.lost)
                case 0?: break
                case let rows?: recovered.append("\(rows) row(s) of \(table.what) from the damaged database")
                }
            }
        } catch {
            // Put the damaged database back as it was, so nothing is worse than before.
            for suffix in ["", "-wal", "-shm"] { try? fm.removeItem(atPath: databaseURL.path + suffix) }
            for suffix in ["", "-wal", "-shm"] where fm.fileExists(atPath: aside.path + suffix) {
                try? fm.moveItem(atPath: aside.path + suffix, toPath: databaseURL.path + suffix)
            }
            throw RepairError.rebuild(url.path, "\(error)")
        }
        let moved = fm.fileExists(atPath: aside.path) ? aside.path : nil
        return Report(project: url.path, repaired: true, damage: damage, movedAside: moved, recovered: recovered, lost: lost)
    }

    /// Moves project.sqlite (and its -wal and -shm, which belong to it) to
    /// `project.sqlite.damaged-<UTC time>`; returns the new path of the database file.
    func moveAside() throws -> URL {
        let fm = FileManager.default
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        var aside = url.appendingPathComponent("\(Project.databaseName).damaged-\(formatter.string(from: Date()))")
        var n = 2
        while fm.fileExists(atPath: aside.path) {
            aside = url.appendingPathComponent("\(Project.databaseName).damaged-\(formatter.string(from: Date()))-\(n)")
            n += 1
        }
        do {
            for suffix in ["", "-wal", "-shm"] where fm.fileExists(atPath: databaseURL.path + suffix) {
                try fm.moveItem(atPath: databaseURL.path + suffix, toPath: aside.path + suffix)
            }
        } catch {
            throw RepairError.cannotMoveAside(url.path, error.localizedDescription)
        }
        return aside
    }

    /// The record of a scan known only from its volume.zarr: shape, dtype and voxel size from the
    /// metadata, the value range and percentiles measured again (over level 0 when it is at most
    /// 2^28 voxels, else over the smallest pyramid level), the creation time from the metadata file.
    static func record(from volume: MultiscaleVolume) throws -> ProjectRecord {
        let level = volume.levels[0].shape.voxelCount <= 1 << 28 ? volume.levels[0] : volume.levels[volume.levels.count - 1]
        var stats = ValueStatistics(expectedCount: level.shape.voxelCount)
        let step = max(1, (64 << 20) / max(1, level.shape.y * level.shape.x))
        var z = 0
        while z < level.shape.z {
            let range = z..<min(level.shape.z, z + step)
            stats.add(try level.readSlices(range))
            z = range.upperBound
        }
        let metadata = volume.url.appendingPathComponent(".zattrs")
        let created = (try? FileManager.default.attributesOfItem(atPath: metadata.path)[.modificationDate] as? Date) ?? Date()
        return ProjectRecord(createdAt: created, sourceSummary: "\(volume.shape) \(volume.dtype.numpyName) scan (rebuilt by trowel repair; the source description was lost)",
                             dtype: volume.dtype, shape: volume.shape, voxelSize: volume.voxelSize, values: stats.summary)
    }

    /// The classes the models were trained with (the newest model's name wins for an id), with the
    /// default colours where the name is a default class's; the defaults when there is no model.
    static func classes(from records: [ModelRecord]) -> [LabelClass] {
        var names: [Int: String] = [:]
        for r in records.sorted(by: { $0.createdAt < $1.createdAt }) {
            for c in r.classes { names[Int(c.id)] = c.name }
        }
        guard !names.isEmpty else { return LabelClass.defaults }
        let palette = ["#e8c468", "#4f86c6", "#d1603d", "#6fb36f", "#a070c0", "#50b0b0", "#c07090", "#909050"]
        var used = Set<String>()
        return names.keys.sorted().compactMap { id in
            var name = names[id]!
            while used.contains(name) { name += "-\(id)" }
            used.insert(name)
            let color = LabelClass.defaults.first { $0.name == name }?.color ?? palette[(id - 1) % palette.count]
            return LabelClass(id: id, name: name, color: color)
        }
    }

    /// The models in models/ whose record and forest both load, and why the others do not.
    func loadModels() -> (records: [ModelRecord], unreadable: [(id: String, why: String)]) {
        let folder = url.appendingPathComponent(ModelLibrary.folderName)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        let ids = Set(names.compactMap { name -> String? in
            for ext in [".json", ".forest"] where name.hasSuffix(ext) && !name.hasPrefix(".") { return String(name.dropLast(ext.count)) }
            return nil
        }).sorted()
        var records: [ModelRecord] = [], unreadable: [(String, String)] = []
        for id in ids {
            guard let data = try? Data(contentsOf: folder.appendingPathComponent("\(id).json")),
                  let record = try? ModelLibrary.decoder.decode(ModelRecord.self, from: data), record.id == id else {
                unreadable.append((id, "models/\(id).json is missing or not a model record"))
                continue
            }
            do {
                _ = try RandomForest(contentsOf: folder.appendingPathComponent("\(id).forest"))
            } catch {
                unreadable.append((id, "\(error)"))
                continue
            }
            records.append(record)
        }
        return (records, unreadable)
    }
}

/// What the damaged database still yields, table by table (a truncated file often keeps its first
/// pages: the project record and the classes were written first).
struct Salvage {
    struct HistoryTable {
        var name: String
        var what: String
        var lost: String
    }

    /// The tables of history no file outside the database holds.
    static let historyTables = [
        HistoryTable(name: "stroke", what: "the stroke history",
                     lost: "the stroke history: undo and redo of earlier strokes and imports, and who painted what (the labels themselves are intact)"),
        HistoryTable(name: "task", what: "annotation tasks", lost: "annotation tasks (n picks new ones)"),
        HistoryTable(name: "proposal", what: "model proposals",
                     lost: "model proposals: labels accepted from a proposal are now scored like painted ones"),
        HistoryTable(name: "job", what: "the job log", lost: "the job log (trowel jobs); the segmentations themselves are intact"),
        HistoryTable(name: "slurm_submission", what: "SLURM submissions", lost: "the record of SLURM submissions (trowel jobs no longer shows their SLURM state)"),
    ]

    let queue: DatabaseQueue?

    init(path: String) {
        var configuration = Configuration()
        configuration.readonly = true
        queue = try? DatabaseQueue(path: path, configuration: configuration)
    }

    var record: ProjectRecord? { try? queue?.read { try ProjectRecord.fetchOne($0) } }

    var classes: [LabelClass]? { try? queue?.read { try LabelClass.order(Column("id")).fetchAll($0) } }

    /// Copies every row of `table` it can read into `project`; nil when the table cannot be read.
    func copy(_ table: String, into project: Project) throws -> Int? {
        guard let rows = try? queue?.read({ try Row.fetchAll($0, sql: "SELECT * FROM \(table)") }) else { return nil }
        guard !rows.isEmpty else { return 0 }
        try project.database.write { db in
            for row in rows {
                let columns = Array(row.columnNames)
                let sql = "INSERT OR IGNORE INTO \(table) (\(columns.joined(separator: ", "))) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))"
                try db.execute(sql: sql, arguments: StatementArguments(columns.map { row[$0] as DatabaseValue }))
            }
        }
        return rows.count
    }
}
