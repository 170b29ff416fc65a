import Foundation
import GRDB
import TrowelVolume

/// The stroke log of a project as people read it: who painted what, when, in which session —
/// what `trowel labels log` lists.
public struct StrokeLog: Sendable {
    /// One stroke (a brush stroke, an accepted proposal, an import) as listed.
    public struct Entry: Codable, Equatable, Sendable {
        public var id: Int64
        public var author: String
        /// The session that painted it (`alice@host:pid:random`); empty for strokes before several writers.
        public var session: String
        public var createdAt: Date
        public var axis: String
        public var slice: Int
        /// Class id painted (0: eraser, or an accepted proposal / import of several classes).
        public var value: Int
        public var className: String?
        /// The box it touched, [z0, y0, x0] to [z1, y1, x1) (exclusive).
        public var lower: [Int]
        public var upper: [Int]
        /// Voxels whose label it changed.
        public var voxels: Int
        /// Writes to labels.zarr it took (paint batches, undo, redo).
        public var edits: Int
        public var undone: Bool
        /// What made it: its first write's kind (`paint`, `proposal`, `import`); nil before it wrote.
        public var kind: StrokeEdit.Kind?

        /// What it put, for a person: the class painted, "erase", "import" or "proposal".
        public var what: String {
            switch kind {
            case .import: return "import"
            case .proposal: return "proposal"
            default: return className ?? (value == 0 ? "erase" : "class \(value)")
            }
        }

        /// Where it lies, for a person: `z:40` for a brush stroke, `slices 0–159` for an import or proposal.
        public var place: String {
            kind == .import || kind == .proposal ? (lower[0] + 1 == upper[0] ? "slice \(lower[0])" : "slices \(lower[0])–\(upper[0] - 1)")
                : "\(axis):\(slice)"
        }

        enum CodingKeys: String, CodingKey {
            case id, author, session, axis, slice, value, lower, upper, voxels, edits, undone, kind
            case createdAt = "created_at"
            case className = "class"
        }
    }

    public let project: Project

    public init(project: Project) {
        self.project = project
    }

    /// The strokes, oldest first, optionally only `author`'s and only those made at or after `since`.
    public func entries(author: String? = nil, since: Date? = nil) throws -> [Entry] {
        let names = Dictionary(uniqueKeysWithValues: try project.classes().map { ($0.id, $0.name) })
        var conditions: [String] = [], arguments: StatementArguments = []
        if let author {
            conditions.append("(s.author = ? OR s.author LIKE ?)")
            arguments += [author, author + " (%"]
        }
        if let since {
            conditions.append("s.created_at >= ?")
            arguments += [since]
        }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        return try project.database.read { db in
            try Row.fetchAll(db, sql: """
                SELECT s.*, (SELECT COUNT(*) FROM stroke_edit e WHERE e.stroke_id = s.id) AS edits,
                       (SELECT kind FROM stroke_edit e WHERE e.stroke_id = s.id ORDER BY e.id LIMIT 1) AS kind
                FROM stroke s \(filter) ORDER BY s.id
                """, arguments: arguments).map { row in
                let value: Int = row["value"]
                return Entry(id: row["id"], author: row["author"], session: row["session"], createdAt: row["created_at"],
                             axis: row["axis"], slice: row["slice"], value: value, className: names[value],
                             lower: [row["z0"], row["y0"], row["x0"]], upper: [row["z1"], row["y1"], row["x1"]],
                             voxels: row["voxels"], edits: row["edits"], undone: row["undone"],
                             kind: (row["kind"] as String?).flatMap(StrokeEdit.Kind.init(rawValue:)))
            }
        }
    }

    /// Every write to the labels, in log order (each with the voxels it covered).
    public func edits() throws -> [StrokeEdit] {
        try project.database.read { db in try StrokeEdit.fetchAll(db, where: "1") }
    }

    /// The authors who have edits in the log, in order of first appearance.
    public func authors() throws -> [String] {
        try project.database.read { db in
            try String.fetchAll(db, sql: "SELECT author FROM stroke_edit GROUP BY author ORDER BY MIN(id)")
        }
    }

    /// A voxel whose label differs from what the log says its last edit wrote.
    public struct Mismatch: Equatable, Sendable, CustomStringConvertible {
        public var voxel: Index3
        /// The edit that wrote it last, and the label it wrote.
        public var edit: Int64
        public var logged: UInt8
        public var stored: UInt8

        /// One line for a person.
        public var description: String {
            "voxel z \(voxel.z) y \(voxel.y) x \(voxel.x): holds \(stored), its last logged write (edit \(edit)) put \(logged)"
        }
    }

    /// Replays every committed edit in log order and compares with `labels.zarr`: for each voxel an
    /// edit covered, the label stored must be the one its last edit wrote (voxels that an import
    /// logged without voxels rewrote afterwards, and those of a write still in flight or whose writer was killed before
    /// committing it, are not compared). Empty when the labels are exactly what the log says.
    public func mismatches(limit: Int = 100) throws -> [Mismatch] {
        let shape = try project.record().shape
        let edits = try project.database.read { db in try StrokeEdit.fetchAll(db, where: "1") }
        var last: [Int64: (edit: Int64, value: UInt8)] = [:]
        var inFlight: [Int64: Int64] = [:]
        var imports: [(Int64, Box)] = []
        for e in edits {
            if e.kind == .import && e.voxels.isEmpty { imports.append((e.id, e.box)) }
            for r in e.voxels {
                if e.committed { last[r.index] = (e.id, r.new) } else { inFlight[r.index] = e.id }
            }
        }
        for (i, id) in inFlight where (last[i]?.edit ?? 0) < id { last[i] = nil }
        guard !last.isEmpty else { return [] }
        let labels = try ZarrArray.open(at: project.url.appendingPathComponent(LabelStore.folderName))
        var byChunk: [Index3: [(Int64, Int64, UInt8)]] = [:]
        let c = labels.chunks
        for (i, l) in last {
            let v = shape.voxel(i)
            if imports.contains(where: { $0.0 > l.edit && $0.1.contains(v) }) { continue }
            byChunk[Index3(z: v.z / c.z, y: v.y / c.y, x: v.x / c.x), default: []].append((i, l.edit, l.value))
        }
        var out: [Mismatch] = []
        for (chunk, list) in byChunk.sorted(by: { ($0.key.z, $0.key.y, $0.key.x) < ($1.key.z, $1.key.y, $1.key.x) }) {
            let box = labels.chunkBox(chunk)
            let block = try labels.read(box, as: UInt8.self)
            for (i, edit, value) in list.sorted(by: { $0.0 < $1.0 }) {
                let v = shape.voxel(i)
                let stored = block[v - box.lower]
                if stored != value {
                    out.append(Mismatch(voxel: v, edit: edit, logged: value, stored: stored))
                    if out.count >= limit { return out }
                }
            }
        }
        return out
    }

    /// Parses `--since`: an ISO 8601 time (`2026-12-02T14:00:00Z`), a UTC date (`2026-12-02`), or an
    /// age before `now` (`90s`, `30m`, `2h`, `7d`).
    public static func parseSince(_ text: String, now: Date = Date()) throws(StrokeLogError) -> Date {
        let t = text.trimmingCharacters(in: .whitespaces)
        if let unit = t.last, let scale = ["s": 1.0, "m": 60, "h": 3600, "d": 86400][String(unit)],
           let n = Double(t.dropLast()), n >= 0 {
            return now.addingTimeInterval(-n * scale)
        }
        let full = ISO8601DateFormatter()
        if let d = full.date(from: t) { return d }
        let day = ISO8601DateFormatter()
        day.formatOptions = [.withFullDate]
        if let d = day.date(from: t) { return d }
        throw .badSince(text)
    }
}

/// Why a stroke-log command failed; one line naming the project or file.
public enum StrokeLogError: Error, CustomStringConvertible, Equatable {
    case badSince(String)
    case unknownAuthor(project: String, author: String, known: [String])
    case outputExists(String)
    case badScript(file: String, why: String)

    public var description: String {
        switch self {
        case .badSince(let t): return "--since \(t): give a time (2026-12-02T14:00:00Z), a date (2026-12-02) or an age (30m, 2h, 7d)"
        case .unknownAuthor(let p, let a, let known):
            return "\(p): nobody called '\(a)' painted here" + (known.isEmpty ? " (the log is empty)" : " (authors: \(known.joined(separator: ", ")))")
        case .outputExists(let p): return "\(p): already exists; choose another output name or remove it first"
        case .badScript(let f, let why): return "\(f): \(why)"
        }
    }
}
