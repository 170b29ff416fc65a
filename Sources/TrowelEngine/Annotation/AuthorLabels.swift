import Foundation
import GRDB
import TrowelVolume

/// One annotator's labels, rebuilt from the stroke log: the voxels of their strokes that are not
/// undone (brush strokes and accepted proposals), replayed in log order — what they labelled,
/// whatever others painted over it since. For `trowel labels export --author` and for agreement
/// between annotators. Imports carry no voxels in the log and are left out.
public struct AuthorLabels: Sendable {
    public let author: String
    public let shape: Shape
    /// Labelled voxels (linear index → class id; 0 where they erased).
    public let voxels: [Int64: UInt8]

    /// Replays `author`'s edits in `project`; throws when nobody of that name painted there.
    public init(project: Project, author: String) throws {
        self.author = author
        shape = try project.record().shape
        let edits = try project.database.read { db in
            try StrokeEdit.fetchAll(db, where: """
                author = ? AND kind IN ('paint', 'proposal') AND committed = 1
                AND stroke_id IN (SELECT id FROM stroke WHERE undone = 0)
                """, [author])
        }
        if edits.isEmpty {
            let known = try StrokeLog(project: project).authors()
            guard known.contains(author) else {
                throw StrokeLogError.unknownAuthor(project: project.url.path, author: author, known: known)
            }
        }
        var out: [Int64: UInt8] = [:]
        for e in edits { for r in e.voxels { out[r.index] = r.new } }
        voxels = out
    }

    /// Labelled voxels per class id (erased ones left out).
    public var counts: [Int: Int] {
        var out: [Int: Int] = [:]
        for (_, v) in voxels where v != 0 { out[Int(v), default: 0] += 1 }
        return out
    }

    /// Writes the labels as a uint8 Zarr array of the scan's shape at `url` (chunks `chunks`, only
    /// those with labels written; 0 = unlabelled), which `trowel labels import` and zarr-python read.
    public func write(to url: URL, chunks: Shape) throws {
        guard !FileManager.default.fileExists(atPath: url.path) else { throw StrokeLogError.outputExists(url.path) }
        let array = try ZarrArray.create(at: url, shape: shape, chunks: chunks, dtype: .u8, compressor: .zstd(level: 3))
        var byChunk: [Index3: [(Index3, UInt8)]] = [:]
        for (i, v) in voxels where v != 0 {
            let p = shape.voxel(i)
            byChunk[Index3(z: p.z / chunks.z, y: p.y / chunks.y, x: p.x / chunks.x), default: []].append((p, v))
        }
        for (chunk, list) in byChunk {
            let box = array.chunkBox(chunk)
            var block = Block<UInt8>(shape: box.shape, repeating: 0)
            for (p, v) in list { block[p - box.lower] = v }
            try array.write(block, at: box.lower)
        }
    }
}

/// How well two annotators agree where both labelled: per class Dice over the voxels both gave a
/// class, and the share of those voxels with the same class.
public struct AuthorAgreement: Codable, Equatable, Sendable {
    public struct ClassDice: Codable, Equatable, Sendable {
        public var id: Int
        public var name: String?
        /// Voxels of the class by each author, within the voxels both labelled.
        public var first: Int
        public var second: Int
        /// Voxels both gave this class.
        public var both: Int
        /// 2·both / (first + second); nil when neither gave the class there.
        public var dice: Double?
    }

    public var first: String
    public var second: String
    /// Voxels each labelled, and both.
    public var firstVoxels: Int
    public var secondVoxels: Int
    public var bothVoxels: Int
    /// Share of the voxels both labelled that got the same class (nil when they share none).
    public var agreement: Double?
    public var classes: [ClassDice]

    enum CodingKeys: String, CodingKey {
        case first, second, agreement, classes
        case firstVoxels = "first_voxels"
        case secondVoxels = "second_voxels"
        case bothVoxels = "both_voxels"
    }

    /// Compares `a` and `b` (of one project); `names` gives class names by id.
    public init(_ a: AuthorLabels, _ b: AuthorLabels, names: [Int: String]) {
        first = a.author
        second = b.author
        let la = a.voxels.filter { $0.value != 0 }, lb = b.voxels.filter { $0.value != 0 }
        firstVoxels = la.count
        secondVoxels = lb.count
        var same = 0, both = 0
        var inA = [Int](repeating: 0, count: 256), inB = inA, inBoth = inA
        for (i, va) in la {
            guard let vb = lb[i] else { continue }
            both += 1
            inA[Int(va)] += 1
            inB[Int(vb)] += 1
            if va == vb {
                same += 1
                inBoth[Int(va)] += 1
            }
        }
        bothVoxels = both
        agreement = both > 0 ? Double(same) / Double(both) : nil
        let ids = Set(la.values.map(Int.init)).union(lb.values.map(Int.init)).sorted()
        classes = ids.map { c in
            ClassDice(id: c, name: names[c], first: inA[c], second: inB[c], both: inBoth[c],
                      dice: inA[c] + inB[c] > 0 ? 2 * Double(inBoth[c]) / Double(inA[c] + inB[c]) : nil)
        }
    }
}
