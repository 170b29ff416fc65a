import Foundation
import GRDB
import TrowelVolume

/// What still stands at a voxel, from the stroke log: the label of the newest edit covering it whose
/// stroke is not undone (undo edits never stand), or, when every edit there has been taken back, the
/// label the oldest one found (0 for a voxel first labelled under the log). An undo puts this back,
/// so undoing a stroke never revives the labels of a stroke undone before it.
enum StandingLabels {
    /// For each voxel of `voxels` (linear index, and the edit of the stroke being undone that wrote
    /// it; the newest per voxel counts), what stands there before that edit among the committed edits
    /// overlapping `box` (in a volume of `shape`) that are not of stroke `excluded`. Absent where nothing earlier covers the
    /// voxel, or where an import logged without voxels (before imports logged them) may have written
    /// it: the stroke's own old label is kept there.
    static func before(_ voxels: [(index: Int64, edit: Int64)], in box: Box, of shape: Shape, excluding excluded: Int64?,
                       database: any DatabaseWriter) throws -> [Int64: UInt8] {
        var newest: [Int64: Int64] = [:]
        for v in voxels where v.edit > 0 { newest[v.index] = max(newest[v.index] ?? 0, v.edit) }
        guard let bound = newest.values.max() else { return [:] }
        let (overlap, arguments) = StrokeEdit.overlapping(box)
        let (edits, undone) = try database.read { db in
            (try StrokeEdit.fetchAll(db, where: "id < ? AND committed = 1 AND stroke_id IS NOT ? AND " + overlap,
                                     [bound, excluded] + arguments),
             Set(try Int64.fetchAll(db, sql: "SELECT id FROM stroke WHERE undone = 1")))
        }
        var out: [Int64: UInt8] = [:], base: [Int64: UInt8] = [:]
        var decided = Set<Int64>()
        for e in edits.reversed() {
            if e.kind == .import && e.voxels.isEmpty {
                // Labels of unknown values: the stroke's own old label is the best known.
                for (i, n) in newest where e.id < n && !decided.contains(i) && e.box.contains(shape.voxel(i)) { decided.insert(i) }
                continue
            }
            let stands = e.kind != .undo && !undone.contains(e.stroke)
            for r in e.voxels {
                guard let n = newest[r.index], e.id < n, !decided.contains(r.index) else { continue }
                if stands {
                    out[r.index] = r.new
                    decided.insert(r.index)
                } else {
                    base[r.index] = r.old
                }
            }
        }
        for (i, b) in base where !decided.contains(i) { out[i] = b }
        return out
    }
}
