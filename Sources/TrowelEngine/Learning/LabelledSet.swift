import Foundation
import GRDB
import TrowelVolume

/// Labelled voxels gathered from labels.zarr with their group for cross-validation.
public struct LabelledSet: Sendable {
    /// Labelled voxels in z, y, x order.
    public var voxels: [Index3]
    /// Class id of each voxel (never 0).
    public var labels: [UInt8]
    /// CV group per voxel: its z-slice, so whole annotated slices are held out together.
    public var groups: [Int]
    /// False for voxels inside accepted model proposals: they train but are never scored.
    public var scored: [Bool]
    public var countsByClass: [Int: Int]
    /// Strokes (not undone) that made these labels, for provenance.
    public var strokeIDs: [Int]

    public init(voxels: [Index3], labels: [UInt8], groups: [Int]? = nil, scored: [Bool]? = nil, strokeIDs: [Int] = []) {
        precondition(voxels.count == labels.count, "LabelledSet: \(voxels.count) voxels, \(labels.count) labels")
        self.voxels = voxels
        self.labels = labels
        self.groups = groups ?? voxels.map(\.z)
        self.scored = scored ?? [Bool](repeating: true, count: voxels.count)
        self.strokeIDs = strokeIDs
        var counts: [Int: Int] = [:]
        for l in labels { counts[Int(l), default: 0] += 1 }
        countsByClass = counts
    }

    public var count: Int { voxels.count }
    public var isEmpty: Bool { voxels.isEmpty }

    /// Reads every existing chunk of labels.zarr (only painted chunks exist), keeps labelled voxels.
    public static func gather(from project: Project, shape: Shape) throws -> LabelledSet {
        let url = project.url.appendingPathComponent(LabelStore.folderName)
        guard FileManager.default.fileExists(atPath: url.path) else { return LabelledSet(voxels: [], labels: []) }
        let array = try ZarrArray.open(at: url)
        guard array.shape == shape, array.dtype == .u8 else {
            throw LearningError.labelVolume("labels.zarr is \(array.shape) \(array.dtype), the scan is \(shape) uint8")
        }
        let maskURL = project.url.appendingPathComponent(LabelStore.proposalsFolderName)
        let mask = FileManager.default.fileExists(atPath: maskURL.path) ? try ZarrArray.open(at: maskURL) : nil
        // A lost or undecodable chunk stops training with a line naming it: its labels would be missing silently.
        if let lost = try LabelStore.missingChunks(in: project).first {
            throw LearningError.damagedLabels(project: project.url.path, damage: lost.summary)
        }
        var found: [(Index3, UInt8)] = []
        var proposed: [Bool] = []
        for chunk in array.writtenChunks {
            let box = array.chunkBox(chunk)
            let block: Block<UInt8>
            do { block = try array.read(box, as: UInt8.self) } catch {
                let damage = LabelChunkDamage(chunk: chunk, file: LabelStore.chunkFile(chunk, of: array), box: box,
                                              kind: .unreadable(LabelStore.reason(error)))
                throw LearningError.damagedLabels(project: project.url.path, damage: damage.summary)
            }
            let marks = try mask.map { try $0.read(box, as: UInt8.self).elements }
            let s = block.shape
            block.elements.withUnsafeBufferPointer { e in
                for i in 0..<e.count where e[i] != 0 {
                    let p = Index3(z: i / (s.y * s.x), y: (i / s.x) % s.y, x: i % s.x)
                    found.append((box.lower + p, e[i]))
                    proposed.append(marks.map { $0[i] != 0 } ?? false)
                }
            }
        }
        let order = found.indices.sorted { a, b in
            let (p, q) = (found[a].0, found[b].0)
            return (p.z, p.y, p.x) < (q.z, q.y, q.x)
        }
        let strokes = try project.database.read { db in try Int.fetchAll(db, sql: "SELECT id FROM stroke WHERE undone = 0 ORDER BY id") }
        // Labels that came from accepted model proposals train models but never score them.
        return LabelledSet(voxels: order.map { found[$0].0 }, labels: order.map { found[$0].1 },
                           scored: order.map { !proposed[$0] }, strokeIDs: strokes)
    }

    /// Stable hash of the exact samples (voxels + labels), hex, for model ids.
    public var fingerprint: String {
        // FNV-1a, 64 bit, over (z, y, x, label) in order: the same labels always give the same id.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ value: Int) {
            var v = UInt64(bitPattern: Int64(value))
            for _ in 0..<8 {
                hash ^= v & 0xff
                hash &*= 0x0000_0100_0000_01b3
                v >>= 8
            }
        }
        for (v, l) in zip(voxels, labels) {
            mix(v.z)
            mix(v.y)
            mix(v.x)
            mix(Int(l))
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// The voxels at `indices` as a set of their own (groups, scoring and counts kept).
    public func subset(_ indices: [Int]) -> LabelledSet {
        LabelledSet(voxels: indices.map { voxels[$0] }, labels: indices.map { labels[$0] },
                    groups: indices.map { groups[$0] }, scored: indices.map { scored[$0] }, strokeIDs: strokeIDs)
    }
}
