import Foundation
import GRDB
import TrowelVolume

/// One write to `labels.zarr`, as logged in `stroke_edit`: a stroke is one or more edits (one per
/// paint batch), an undo or redo is one more. Rows are inserted while the chunks they touch are
/// locked, so for any voxel the order of edit ids is the order its writes happened; replaying every
/// edit's `new` values in id order gives `labels.zarr`.
public struct StrokeEdit: Sendable, Equatable {
    /// What wrote the voxels.
    public enum Kind: String, Sendable, Codable {
        case paint, undo, redo
        /// An accepted proposal (or Otsu pre-fill): fills only unlabelled voxels.
        case proposal
        /// `trowel labels import` (or its undo): one edit per chunk, with every voxel it labelled
        /// (imports before the log held imported voxels logged none).
        case `import`
    }

    public var id: Int64
    public var stroke: Int64
    public var session: String
    public var author: String
    public var createdAt: Date
    public var kind: Kind
    /// The class painted (0 erases); for undo and redo edits the stroke's value.
    public var value: UInt8
    public var box: Box
    /// False while its writer is between logging it and writing its chunks (or was killed there).
    public var committed: Bool
    /// Every voxel the edit covered, with the label before and after (equal where it already held it);
    /// empty for imports made before imports logged their voxels.
    public var voxels: [VoxelRecord]

    static let columns = "id, stroke_id, session, author, created_at, kind, value, z0, y0, x0, z1, y1, x1, committed, changes"
}

extension StrokeEdit {
    init(row: Row) {
        id = row["id"]
        stroke = row["stroke_id"]
        session = row["session"]
        author = row["author"]
        createdAt = row["created_at"]
        kind = Kind(rawValue: row["kind"]) ?? .paint
        value = UInt8(clamping: row["value"] as Int)
        box = Box(lower: Index3(z: row["z0"], y: row["y0"], x: row["x0"]), upper: Index3(z: row["z1"], y: row["y1"], x: row["x1"]))
        committed = row["committed"]
        voxels = (row["changes"] as Data?).map(VoxelRecord.decode) ?? []
    }

    /// The edits matching `condition` (an SQL expression over `stroke_edit`), in log order.
    static func fetchAll(_ db: Database, where condition: String, _ arguments: StatementArguments = []) throws -> [StrokeEdit] {
        try Row.fetchAll(db, sql: "SELECT \(columns) FROM stroke_edit WHERE \(condition) ORDER BY id", arguments: arguments).map(StrokeEdit.init(row:))
    }

    /// The SQL condition "the edit's box overlaps `box`", with its arguments.
    static func overlapping(_ box: Box) -> (String, StatementArguments) {
        ("z0 < ? AND z1 > ? AND y0 < ? AND y1 > ? AND x0 < ? AND x1 > ?",
         [box.upper.z, box.lower.z, box.upper.y, box.lower.y, box.upper.x, box.lower.x])
    }
}

/// One voxel an edit covered: its linear index in the volume (z, y, x order) and its label before and after.
public struct VoxelRecord: Sendable, Equatable {
    public var index: Int64
    public var old: UInt8
    public var new: UInt8

    public init(index: Int64, old: UInt8, new: UInt8) {
        self.index = index
        self.old = old
        self.new = new
    }

    /// The blob stored in `stroke_edit.changes`: a varint count, then per voxel the zigzag varint
    /// difference from the previous index, the old and the new label (about 3 bytes a voxel for a brush).
    static func encode(_ records: [VoxelRecord]) -> Data {
        var out = [UInt8]()
        out.reserveCapacity(records.count * 3 + 8)
        func varint(_ v: UInt64) {
            var v = v
            while v >= 0x80 {
                out.append(UInt8(v & 0x7f) | 0x80)
                v >>= 7
            }
            out.append(UInt8(v))
        }
        varint(UInt64(records.count))
        var previous: Int64 = 0
        for r in records {
            let d = r.index - previous
            varint(UInt64(bitPattern: (d << 1) ^ (d >> 63)))
            out.append(r.old)
            out.append(r.new)
            previous = r.index
        }
        return Data(out)
    }

    /// Reads `encode`'s blob; a truncated blob yields the records that are complete.
    static func decode(_ data: Data) -> [VoxelRecord] {
        let bytes = [UInt8](data)
        var i = 0
        func varint() -> UInt64? {
            var v: UInt64 = 0, shift: UInt64 = 0
            while i < bytes.count {
                let b = bytes[i]
                i += 1
                v |= UInt64(b & 0x7f) << shift
                if b < 0x80 { return v }
                shift += 7
                if shift > 63 { return nil }
            }
            return nil
        }
        guard let count = varint() else { return [] }
        var out: [VoxelRecord] = []
        out.reserveCapacity(Int(min(count, UInt64(bytes.count))))
        var previous: Int64 = 0
        for _ in 0..<count {
            guard let z = varint(), i + 2 <= bytes.count else { break }
            let d = Int64(bitPattern: z >> 1) ^ -Int64(bitPattern: z & 1)
            previous += d
            out.append(VoxelRecord(index: previous, old: bytes[i], new: bytes[i + 1]))
            i += 2
        }
        return out
    }
}

extension Shape {
    /// The linear (z, y, x order) index of `v` in a volume of this shape.
    @inline(__always)
    func linear(_ v: Index3) -> Int64 { (Int64(v.z) * Int64(y) + Int64(v.y)) * Int64(x) + Int64(v.x) }

    /// The voxel at linear index `i`.
    @inline(__always)
    func voxel(_ i: Int64) -> Index3 {
        let plane = Int64(y) * Int64(x)
        return Index3(z: Int(i / plane), y: Int((i % plane) / Int64(x)), x: Int(i % Int64(x)))
    }
}
