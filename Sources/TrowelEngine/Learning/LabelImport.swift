import Foundation
import GRDB
import TrowelML
import TrowelVolume

/// Imports a label volume (or a binary mask) into labels.zarr, slab by slab, with the same writes,
/// dtype and chunking as painting. Imported labels win where they are non-zero; 0 keeps what is there.
/// The whole file is read and checked before anything is written, and the import is one stroke in
/// the log (one edit per chunk, with every voxel it labelled, so the log can rebuild those chunks)
/// with a journal (`LabelImportJournal`) so `undoLast` can take it back.
public struct LabelImport: Sendable {
    /// How file values become class ids.
    public enum Mapping: Sendable, Equatable {
        /// Values are class ids of the project's class table; 0 = unlabelled.
        case classIDs
        /// Non-zero = `foreground`; zero = `background`, or unlabelled when nil.
        case mask(foreground: UInt8, background: UInt8?)
    }

    /// What `run` is doing when it reports progress.
    public enum Phase: Sendable, Equatable {
        /// Reading the whole file and checking every value; nothing is written yet.
        case checking
        /// Writing the labels.
        case writing
    }

    public let project: Project
    public let author: String

    public init(project: Project, author: String = "import") {
        self.project = project
        self.author = author
    }

    /// Writes `source` into labels.zarr; returns the voxels imported per class id. `file` names the
    /// input in errors. A wrong shape, a value that is not a class or a slice that cannot be read
    /// throws before anything is written; a failure while writing puts back what was written.
    @discardableResult
    public func run(from source: SliceSource, file: String, mapping: Mapping,
                    progress: (Phase, Int, Int) -> Void = { _, _, _ in }) throws -> [Int: Int] {
        let shape = try project.record().shape
        guard source.shape == shape else {
            throw LearningError.importShape(file: file, found: source.shape.description, expected: shape.description)
        }
        let table = try project.classes()
        var known = [Bool](repeating: false, count: 256)
        for c in table { known[c.id] = true }
        let tableText = table.map { "\($0.id) = \($0.name)" }.joined(separator: ", ")
        try project.requireWritable(for: "importing labels")

        /// Slices `range` of the file as class ids (range.count × y × x), read a few slices at a
        /// time so a wide float volume never needs a float slab.
        func mapped(_ range: Range<Int>) throws -> [UInt8] {
            let plane = shape.y * shape.x
            var slab = [UInt8](repeating: 0, count: range.count * plane)
            var s = range.lowerBound
            while s < range.upperBound {
                let part = s..<min(range.upperBound, s + 8)
                let values = try source.readSlices(part).converted(to: Double.self).elements
                guard values.count == part.count * plane else {
                    throw LearningError.labelVolume("\(file): slices \(part.lowerBound)…\(part.upperBound - 1) hold \(values.count) values, expected \(part.count * plane)")
                }
                let base = (s - range.lowerBound) * plane
                for i in 0..<values.count {
                    let v = values[i]
                    switch mapping {
                    case .classIDs:
                        guard v.isFinite, v == v.rounded() else {
                            throw LearningError.importNotInteger(file: file, value: v, slice: part.lowerBound + i / plane)
                        }
                        guard v >= 0, v <= 255, v == 0 || known[Int(v)] else {
                            throw LearningError.importValue(file: file, value: v, slice: part.lowerBound + i / plane, classes: tableText)
                        }
                        slab[base + i] = UInt8(v)
                    case .mask(let foreground, let background):
                        slab[base + i] = v != 0 ? foreground : (background ?? 0)
                    }
                }
                s = part.upperBound
            }
            return slab
        }

        let store = try LabelStore(project: project, shape: shape, author: author, writable: true)
        guard let array = store.array else { throw LearningError.labelVolume("labels.zarr could not be created") }
        let depth = array.chunks.z
        let slabs = stride(from: 0, to: shape.z, by: depth).map { $0..<min(shape.z, $0 + depth) }

        // First pass: every slice read and checked; nothing written.
        for range in slabs {
            _ = try mapped(range)
            progress(.checking, range.upperBound, shape.z)
        }

        // Second pass: one stroke, each chunk journalled before it is overwritten.
        let stroke = try project.database.write { db -> Int64 in
            try db.execute(sql: """
                INSERT INTO stroke (author, created_at, axis, slice, value, z0, y0, x0, z1, y1, x1, voxels, session)
                VALUES (?, ?, 'z', 0, 0, 0, 0, 0, ?, ?, ?, 0, ?)
                """, arguments: [author, Date(), shape.z, shape.y, shape.x, store.session])
            return db.lastInsertedRowID
        }
        let journal = try LabelImportJournal.create(
            project: project, info: .init(stroke: stroke, file: file, author: author, createdAt: Date()),
            shape: shape, chunks: array.chunks)
        var counts: [Int: Int] = [:]
        var bounds: Box?
        var changed = 0
        do {
            for range in slabs {
                let slabBlock = Block(shape: Shape(z: range.count, y: shape.y, x: shape.x), elements: try mapped(range))
                for chunk in array.chunkIndices(overlapping: Box(z: range, y: 0..<shape.y, x: 0..<shape.x)) {
                    let box = array.chunkBox(chunk)
                    let piece = slabBlock.cropped(to: box.translated(by: Index3(z: -range.lowerBound, y: 0, x: 0)))
                    guard piece.elements.contains(where: { $0 != 0 }) else { continue }
                    // Under the chunk's lock, on its labels as they are now: painters may be at work.
                    try store.rewrite(box, stroke: stroke) { current in
                        let old = current
                        var merged = old
                        var records: [VoxelRecord] = []
                        for i in 0..<piece.elements.count where piece.elements[i] != 0 {
                            merged.elements[i] = piece.elements[i]
                            counts[Int(piece.elements[i]), default: 0] += 1
                            if old.elements[i] != piece.elements[i] { changed += 1 }
                            records.append(VoxelRecord(index: shape.linear(box.lower + box.shape.voxel(Int64(i))),
                                                       old: old.elements[i], new: piece.elements[i]))
                        }
                        try journal.record(box, old: old, new: merged)
                        current = merged
                        return records
                    }
                    bounds = bounds?.union(box) ?? box
                }
                progress(.writing, range.upperBound, shape.z)
            }
        } catch {
            // Put back what was written, so a full disk or a vanished folder loses nothing.
            _ = try? journal.undo(store: store, project: project)
            try? project.database.write { db in try db.execute(sql: "DELETE FROM stroke WHERE id = ?", arguments: [stroke]) }
            throw error
        }
        if let bounds {
            // The import's row in the stroke log names where it landed, so models trained on imported
            // labels name where they came from.
            try project.database.write { db in
                try db.execute(sql: """
                    UPDATE stroke SET slice = ?, z0 = ?, y0 = ?, x0 = ?, z1 = ?, y1 = ?, x1 = ?, voxels = ? WHERE id = ?
                    """, arguments: [bounds.lower.z, bounds.lower.z, bounds.lower.y, bounds.lower.x,
                                     bounds.upper.z, bounds.upper.y, bounds.upper.x, changed, stroke])
            }
        } else {
            try? FileManager.default.removeItem(at: journal.url)
            try project.database.write { db in try db.execute(sql: "DELETE FROM stroke WHERE id = ?", arguments: [stroke]) }
        }
        return counts
    }

    /// Undoes the latest import that is not undone yet: its voxels get their old labels back, except
    /// those painted since. Nil when there is no import to undo.
    public func undoLast() throws -> LabelImportJournal.Undone? {
        try project.requireWritable(for: "undoing an import")
        guard let journal = try LabelImportJournal.all(in: project).last else { return nil }
        let shape = try project.record().shape
        let store = try LabelStore(project: project, shape: shape, author: author, writable: true)
        return try journal.undo(store: store, project: project)
    }
}
