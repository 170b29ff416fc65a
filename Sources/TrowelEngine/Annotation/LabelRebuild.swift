import Foundation
import GRDB
import TrowelVolume

/// `trowel labels check P --rebuild`: rewrites from the stroke log every labels chunk that is
/// missing, cannot be decoded, or disagrees with the log, each under its chunk's lock beside any
/// painters. The chunk becomes the log's committed edits replayed in log order: undo edits are
/// replayed too, so an undone stroke stays undone, and the result is exactly what the writers
/// wrote. A lost or corrupt chunk is rebuilt only when the log holds it whole (a logged write
/// created it, `label_chunk`); one whose labels predate the log is reported, never zeroed.
public struct LabelRebuild: Sendable, Equatable, Encodable {
    /// One chunk the rebuild rewrote or could not.
    public struct Chunk: Sendable, Equatable, Encodable {
        public enum State: String, Sendable, Encodable {
            /// Written once and its file is gone.
            case missing
            /// Its file does not decode.
            case unreadable
            /// It decodes but some voxels differ from the log.
            case disagreeing
        }

        public var chunk: [Int]
        /// The chunk file, relative to the project (`labels.zarr/0/1/0`).
        public var file: String
        /// The slices, rows and columns the chunk spans, for a person.
        public var place: String
        public var state: State
        /// Voxels rewritten (for a rebuilt lost chunk: the labelled voxels it holds again).
        public var voxels: Int
        /// The slices (z) those voxels lie on, `5–6`; nil when there are none.
        public var slices: String?
        /// Where an unreadable file was moved before the chunk was rebuilt (relative to the project).
        public var movedTo: String?
        /// Why the chunk could not be rebuilt; nil when it was.
        public var why: String?

        enum CodingKeys: String, CodingKey {
            case chunk, file, place, state, voxels, slices, why
            case movedTo = "moved_to"
        }

        /// One line for a person.
        public var description: String {
            let what: String
            switch state {
            case .missing: what = "missing"
            case .unreadable: what = "cannot be read"
            case .disagreeing: what = "\(voxels) voxel(s)" + (slices.map { " on slices \($0)" } ?? "") + " disagreed with the stroke log"
            }
            if let why { return "\(file) (\(place)) \(what): not rebuilt, \(why)" }
            let held = state == .disagreeing ? "rewritten from the log"
                : "rebuilt from the stroke log (\(voxels) labelled voxel(s)" + (slices.map { " on slices \($0)" } ?? "") + ")"
            return "\(file) (\(place)) \(what): " + (movedTo.map { "moved to \($0), " } ?? "") + held
        }
    }

    public var rebuilt: [Chunk] = []
    public var notRebuildable: [Chunk] = []

    enum CodingKeys: String, CodingKey {
        case rebuilt
        case notRebuildable = "not_rebuildable"
    }

    /// Why a lost or corrupt chunk that the log does not hold whole cannot be rebuilt.
    static let predatesLog = "its labels predate the stroke log (painted before this Trowel logged every voxel, or imported before imports were logged); restore the file from a backup, or set it aside with --set-aside and repaint those slices"

    /// Rebuilds the damaged chunks of `store`'s labels (a writable store) and returns what it did;
    /// the store's counts and damage are read again afterwards.
    public static func run(on store: LabelStore) throws -> LabelRebuild {
        guard let array = store.array, let locks = store.locks, let manifest = store.manifest else {
            throw SessionError.readOnly("you have no permission to write in this project")
        }
        let shape = store.shape, project = store.project
        let whole = Set(try project.database.read { db in
            try Row.fetchAll(db, sql: "SELECT z, y, x FROM label_chunk").map { Index3(z: $0["z"], y: $0["y"], x: $0["x"]) }
        })
        var report = LabelRebuild()
        let grid = array.chunkGrid
        for z in 0..<grid.z {
            for y in 0..<grid.y {
                for x in 0..<grid.x {
                    let chunk = Index3(z: z, y: y, x: x)
                    guard array.chunkExists(chunk) || manifest.known.contains(chunk) || whole.contains(chunk) else { continue }
                    let file = LabelStore.chunkFile(chunk, of: array)
                    let box = array.chunkBox(chunk)
                    try locks.withLocks([chunk]) {
                        store.forgetCached([chunk])
                        let replay = try Replay(project: project, box: box, shape: shape)
                        let holdsWhole = whole.contains(chunk) && !replay.unlogged
                        var entry = Chunk(chunk: [z, y, x], file: file, place: LabelChunkDamage.place(of: box), state: .missing, voxels: 0)
                        var current: Block<UInt8>?
                        if array.chunkExists(chunk) {
                            do { current = try array.read(box, as: UInt8.self) } catch { entry.state = .unreadable }
                        } else if !manifest.known.contains(chunk) && !replay.expected.contains(where: { $0 != 0 }) {
                            return   // never written with labels, or erased whole: nothing is lost
                        }
                        if var current {
                            var changed: [Int] = []
                            for i in 0..<current.elements.count where (holdsWhole || replay.known[i]) && current.elements[i] != replay.expected[i] {
                                changed.append(i)
                            }
                            guard !changed.isEmpty else { return }
                            for i in changed { current.elements[i] = replay.expected[i] }
                            try array.write(current, at: box.lower)
                            entry.state = .disagreeing
                            entry.voxels = changed.count
                            entry.slices = Self.slices(changed, box: box)
                            report.rebuilt.append(entry)
                            return
                        }
                        guard holdsWhole else {
                            entry.why = predatesLog
                            report.notRebuildable.append(entry)
                            return
                        }
                        if entry.state == .unreadable { entry.movedTo = try Self.setAside(chunk, of: array) }
                        try array.write(Block(shape: box.shape, elements: replay.expected), at: box.lower)
                        try manifest.record(box, in: array)
                        let labelled = replay.expected.indices.filter { replay.expected[$0] != 0 }
                        entry.voxels = labelled.count
                        entry.slices = Self.slices(labelled, box: box)
                        report.rebuilt.append(entry)
                    }
                }
            }
        }
        store.runningCounts = try store.countLabels()
        return report
    }

    /// Moves the undecodable file of `chunk` into `labels.zarr/.damaged/` (kept for whoever wants
    /// it); returns its new path relative to the project.
    static func setAside(_ chunk: Index3, of array: ZarrArray) throws -> String {
        let folder = array.url.appendingPathComponent(".damaged")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let stamp = ISO8601DateFormatter().string(from: Date()).replacingOccurrences(of: ":", with: "")
        let name = "\(chunk.z).\(chunk.y).\(chunk.x)-\(stamp)"
        try FileManager.default.moveItem(at: array.chunkURL(chunk), to: folder.appendingPathComponent(name))
        return "\(LabelStore.folderName)/.damaged/\(name)"
    }

    /// The z range of local voxels `indices` of `box`, `5–6` (or `5`); nil when empty.
    static func slices(_ indices: [Int], box: Box) -> String? {
        let plane = box.shape.y * box.shape.x
        guard let low = indices.min(), let high = indices.max() else { return nil }
        let a = box.lower.z + low / plane, b = box.lower.z + high / plane
        return a == b ? "\(a)" : "\(a)–\(b)"
    }

    /// A chunk's labels as the log's committed edits replayed in log order.
    struct Replay {
        /// The label each voxel of the box holds after the last edit that wrote it (0 where none did).
        var expected: [UInt8]
        /// Whether an edit wrote the voxel (and no import logged without voxels came after it).
        var known: [Bool]
        /// True when an import logged without voxels wrote into the box: the log does not hold it whole.
        var unlogged = false

        init(project: Project, box: Box, shape: Shape) throws {
            let (overlap, arguments) = StrokeEdit.overlapping(box)
            let edits = try project.database.read { db in try StrokeEdit.fetchAll(db, where: "committed = 1 AND " + overlap, arguments) }
            let n = box.shape.voxelCount, s = box.shape
            expected = [UInt8](repeating: 0, count: n)
            known = [Bool](repeating: false, count: n)
            for e in edits {
                if e.kind == .import && e.voxels.isEmpty {
                    unlogged = true
                    let part = e.box.intersection(box)
                    for z in part.lower.z..<part.upper.z {
                        for y in part.lower.y..<part.upper.y {
                            for x in part.lower.x..<part.upper.x {
                                known[s.offset(z: z - box.lower.z, y: y - box.lower.y, x: x - box.lower.x)] = false
                            }
                        }
                    }
                    continue
                }
                for r in e.voxels {
                    let v = shape.voxel(r.index)
                    guard box.contains(v) else { continue }
                    let q = v - box.lower, i = s.offset(z: q.z, y: q.y, x: q.x)
                    expected[i] = r.new
                    known[i] = true
                }
            }
        }
    }
}
