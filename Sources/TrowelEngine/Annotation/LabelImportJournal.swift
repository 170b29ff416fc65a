import Foundation
import GRDB
import TrowelVolume

/// What one label import changed, kept beside the labels so the import can be undone as a whole:
/// `label-imports/<stroke id>/before.zarr` holds the labels of every chunk the import wrote as they
/// were, `after.zarr` what the import put there (0 where it left a voxel as it was), and
/// `import.json` which file it was. Each chunk is recorded before it is overwritten, so even an
/// import killed half-way can be undone.
public struct LabelImportJournal {
    public static let folderName = "label-imports"

    /// The description in `import.json`.
    public struct Info: Codable, Equatable, Sendable {
        public var stroke: Int64
        public var file: String
        public var author: String
        public var createdAt: Date

        enum CodingKeys: String, CodingKey {
            case stroke, file, author
            case createdAt = "created_at"
        }
    }

    /// What undoing an import did.
    public struct Undone: Equatable, Sendable {
        public var info: Info
        /// Voxels given back the label they had before the import.
        public var restored: Int
        /// Voxels the import labelled that were painted over since; they keep the newer label.
        public var kept: Int
    }

    public let url: URL
    public let info: Info
    let before: ZarrArray
    let after: ZarrArray

    /// Starts the journal of import `info.stroke` of a label volume of `shape` chunked as `chunks`.
    static func create(project: Project, info: Info, shape: Shape, chunks: Shape) throws -> LabelImportJournal {
        let url = project.url.appendingPathComponent(folderName).appendingPathComponent(String(info.stroke))
        try? FileManager.default.removeItem(at: url)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(info).write(to: url.appendingPathComponent("import.json"), options: .atomic)
        let before = try ZarrArray.create(at: url.appendingPathComponent("before.zarr"), shape: shape, chunks: chunks, dtype: .u8)
        let after = try ZarrArray.create(at: url.appendingPathComponent("after.zarr"), shape: shape, chunks: chunks, dtype: .u8)
        return LabelImportJournal(url: url, info: info, before: before, after: after)
    }

    /// Opens the journal in `url`; nil when it is not a complete journal (e.g. killed while created).
    static func open(at url: URL) -> LabelImportJournal? {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        guard let data = try? Data(contentsOf: url.appendingPathComponent("import.json")),
              let info = try? decoder.decode(Info.self, from: data),
              let before = try? ZarrArray.open(at: url.appendingPathComponent("before.zarr")),
              let after = try? ZarrArray.open(at: url.appendingPathComponent("after.zarr"))
        else { return nil }
        return LabelImportJournal(url: url, info: info, before: before, after: after)
    }

    /// Records chunk `box`'s labels before (`old`) and after (`new`) the import, before they are written.
    func record(_ box: Box, old: Block<UInt8>, new: Block<UInt8>) throws {
        var changed = new
        for i in 0..<changed.elements.count where changed.elements[i] == old.elements[i] { changed.elements[i] = 0 }
        try before.write(old, at: box.lower)
        try after.write(changed, at: box.lower)
    }

    /// The imports of `project` that can still be undone, oldest first.
    public static func all(in project: Project) throws -> [LabelImportJournal] {
        let folder = project.url.appendingPathComponent(folderName)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        let journals = names.compactMap { Int64($0) }.sorted().compactMap { open(at: folder.appendingPathComponent(String($0))) }
        // Only imports whose stroke is still in the log and not undone (a rolled-back import has no row).
        let live = Set(try project.database.read { db in
            try Int64.fetchAll(db, sql: "SELECT id FROM stroke WHERE undone = 0")
        })
        return journals.filter { live.contains($0.info.stroke) }
    }

    /// Gives every voxel the import labelled its old label back, unless it was painted since, marks
    /// the import's stroke undone and removes the journal. Safe to run again after being killed.
    func undo(store: LabelStore, project: Project) throws -> Undone {
        var restored = 0, kept = 0
        for chunk in after.writtenChunks {
            let box = after.chunkBox(chunk)
            let new = try after.read(box, as: UInt8.self)
            let old = try before.read(box, as: UInt8.self)
            // Under the chunk's lock, on the labels as they are now (other sessions may be painting).
            let s = box.shape, shape = store.shape
            try store.rewrite(box, stroke: info.stroke) { current in
                // The voxels the import still holds (local index in the chunk, linear in the scan).
                var taken: [(local: Int, index: Int64)] = []
                for i in 0..<new.elements.count where new.elements[i] != 0 {
                    if current.elements[i] == new.elements[i] {
                        taken.append((i, shape.linear(box.lower + s.voxel(Int64(i)))))
                    } else if current.elements[i] != old.elements[i] {
                        kept += 1
                    }
                }
                // What still stands under the import's write of this chunk, when the import logged its
                // voxels: a label it found may have come from a stroke undone since.
                let (overlap, arguments) = StrokeEdit.overlapping(box)
                let edit = try project.database.read { db in
                    try StrokeEdit.fetchAll(db, where: "stroke_id = ? AND kind = ? AND " + overlap,
                                            [info.stroke, StrokeEdit.Kind.import.rawValue] + arguments)
                }.filter { !$0.voxels.isEmpty }.map(\.id).max()
                let standing = try edit.map { edit in
                    try StandingLabels.before(taken.map { ($0.index, edit) }, in: box, of: shape, excluding: info.stroke,
                                              database: project.database)
                } ?? [:]
                var records: [VoxelRecord] = []
                for (i, index) in taken {
                    let value = standing[index] ?? old.elements[i]
                    records.append(VoxelRecord(index: index, old: current.elements[i], new: value))
                    current.elements[i] = value
                }
                restored += records.count
                return records
            }
        }
        try project.database.write { db in
            try db.execute(sql: "UPDATE stroke SET undone = 1 WHERE id = ?", arguments: [info.stroke])
        }
        try? FileManager.default.removeItem(at: url)
        return Undone(info: info, restored: restored, kept: kept)
    }
}
