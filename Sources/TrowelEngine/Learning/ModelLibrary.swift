import Foundation
import GRDB
import TrowelML
import TrowelVolume

/// The project's trained models: `models/<id>.forest` (the forest), `models/<id>.json` (its
/// `ModelRecord`) and a row in the `model` table, so the Models panel and `trowel eval` find them.
public struct ModelLibrary: Sendable {
    public static let folderName = "models"
    public let project: Project

    public init(project: Project) {
        self.project = project
    }

    public var folder: URL { project.url.appendingPathComponent(Self.folderName) }

    public func forestURL(_ id: String) -> URL { folder.appendingPathComponent("\(id).forest") }
    public func recordURL(_ id: String) -> URL { folder.appendingPathComponent("\(id).json") }
    /// The random walker an adopted `WalkerPrior` mixes in.
    public func walkerURL(_ id: String) -> URL { folder.appendingPathComponent("\(id).walker.zarr") }

    /// Saves a checkpoint: models/<id>.forest + <id>.json (each written atomically) + row in `model`.
    /// Saving the same id again replaces it.
    public func save(_ forest: RandomForest, record: ModelRecord, walker: WalkerField? = nil) throws {
        try project.requireWritable(for: "saving a model")
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let json = try Self.encoder.encode(record)
            try forest.write(to: forestURL(record.id))
            if let walker { try walker.write(to: walkerURL(record.id)) }
            try json.write(to: recordURL(record.id), options: .atomic)
            try project.database.write { db in
                try db.execute(sql: "INSERT OR REPLACE INTO model (id, created_at, training_voxels, record) VALUES (?, ?, ?, ?)",
                               arguments: [record.id, record.createdAt, record.trainingVoxels, String(decoding: json, as: UTF8.self)])
            }
        } catch let error as DatabaseError {
            throw ProjectError.database(project.url.path, "\(error)")
        } catch let error as ProjectError {
            throw error
        } catch {
            throw ProjectError.unwritable(folder.path, error.localizedDescription)
        }
    }

    /// Every model's record, oldest first (the sparkline history).
    public func records() throws -> [ModelRecord] {
        let rows = try project.database.read { db in
            try Row.fetchAll(db, sql: "SELECT id, record FROM model ORDER BY created_at, id")
        }
        return try rows.map { row in
            let id: String = row["id"]
            let text: String = row["record"]
            do {
                return try Self.decoder.decode(ModelRecord.self, from: Data(text.utf8))
            } catch {
                throw LearningError.corruptModel(id, "its record in project.sqlite is not valid JSON (\(error))")
            }
        }
    }

    /// The newest model's id, nil when there is none.
    public func latestID() throws -> String? {
        try project.database.read { db in
            try String.fetchOne(db, sql: "SELECT id FROM model ORDER BY created_at DESC, id DESC LIMIT 1")
        }
    }

    /// The forest and record of model `id`; a clear error for an unknown id or a corrupt file.
    public func load(_ id: String) throws -> (RandomForest, ModelRecord) {
        let known = try project.database.read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM model WHERE id = ?", arguments: [id]) ?? 0,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM model") ?? 0)
        }
        guard known.0 > 0 else { throw LearningError.unknownModel(id, available: known.1) }
        let record: ModelRecord
        do {
            record = try Self.decoder.decode(ModelRecord.self, from: Data(contentsOf: recordURL(id)))
        } catch {
            throw LearningError.corruptModel(id, "\(Self.folderName)/\(id).json is missing or not a model record")
        }
        let forest: RandomForest
        do {
            forest = try RandomForest(contentsOf: forestURL(id))
        } catch let error as ModelFileError {
            throw LearningError.corruptModel(id, "\(Self.folderName)/\(error)")
        }
        return (forest, record)
    }

    /// The walker prior model `record` mixes in, nil when it adopted none; a clear error when its
    /// field is missing or damaged.
    public func prior(for record: ModelRecord) throws -> WalkerPrior.Applied? {
        guard let prior = record.walkerPrior, prior.adopted else { return nil }
        let url = walkerURL(record.id)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw LearningError.corruptModel(record.id, "\(Self.folderName)/\(url.lastPathComponent) (its random walker prior) is missing")
        }
        do {
            return WalkerPrior.Applied(prior: prior, field: try WalkerField(contentsOf: url))
        } catch let error as LearningError {
            throw error
        } catch {
            throw LearningError.corruptModel(record.id, "\(Self.folderName)/\(url.lastPathComponent): \(error)")
        }
    }

    /// The forest and record of model `id` and the predictor they make over `volume` (with its walker prior).
    public func predictor(_ id: String, volume: MultiscaleVolume) throws -> (Predictor, ModelRecord) {
        let (forest, record) = try load(id)
        return (Predictor(forest: forest, volume: volume, prior: try prior(for: record)), record)
    }

    /// "yyyyMMddTHHmmssZ-" (UTC, whole seconds) + the first 6 hex digits of `fingerprint`.
    public static func makeID(date: Date, fingerprint: String) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let stamp = String(format: "%04d%02d%02dT%02d%02d%02dZ", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
        return "\(stamp)-\(fingerprint.prefix(6))"
    }

    static var encoder: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        e.dateEncodingStrategy = .iso8601
        return e
    }

    static var decoder: JSONDecoder {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        return d
    }
}
