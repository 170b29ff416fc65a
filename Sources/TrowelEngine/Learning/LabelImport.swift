import Foundation
import GRDB
import TrowelML
import TrowelVolume

/// Imports a label volume (or a binary mask) into labels.zarr, slab by slab, with the same writes,
/// dtype and chunking as painting. Imported labels win where they are non-zero; 0 keeps what is there.
public struct LabelImport: Sendable {
    /// How file values become class ids.
    public enum Mapping: Sendable, Equatable {
        /// Values are class ids of the project's class table; 0 = unlabelled.
        case classIDs
        /// Non-zero = `foreground`; zero = `background`, or unlabelled when nil.
        case mask(foreground: UInt8, background: UInt8?)
    }

    public let project: Project
    public let author: String

    public init(project: Project, author: String = "import") {
        self.project = project
        self.author = author
    }

    /// Writes `source` into labels.zarr; returns the voxels imported per class id. `file` names the
    /// input in errors. Throws before writing anything if the shape is wrong; a bad value stops the
    /// import at its slab (earlier slabs stay imported, as if painted).
    @discardableResult
    public func run(from source: SliceSource, file: String, mapping: Mapping,
                    progress: (Int, Int) -> Void = { _, _ in }) throws -> [Int: Int] {
        let shape = try project.record().shape
        guard source.shape == shape else {
            throw LearningError.importShape(file: file, found: source.shape.description, expected: shape.description)
        }
        let table = try project.classes()
        var known = [Bool](repeating: false, count: 256)
        for c in table { known[c.id] = true }
        let tableText = table.map { "\($0.id) = \($0.name)" }.joined(separator: ", ")
        let lock = try ProjectLock(project: project.url)
        guard lock.isHeld else { throw LearningError.projectBusy(lock.holder ?? "another session") }
        let store = try LabelStore(project: project, shape: shape, author: author, writable: true)
        guard let array = store.array else { throw LearningError.labelVolume("labels.zarr could not be created") }

        var counts: [Int: Int] = [:]
        var bounds: Box?
        let depth = array.chunks.z
        var z = 0
        while z < shape.z {
            let range = z..<min(shape.z, z + depth)
            var slab = [UInt8](repeating: 0, count: range.count * shape.y * shape.x)
            // Read and map a few slices at a time so a wide float volume never needs a float slab.
            let plane = shape.y * shape.x
            var s = range.lowerBound
            while s < range.upperBound {
                let part = s..<min(range.upperBound, s + 8)
                let block = try source.readSlices(part)
                let values = block.converted(to: Double.self).elements
                let base = (s - range.lowerBound) * plane
                for i in 0..<values.count {
                    let v = values[i]
                    let out: UInt8
                    switch mapping {
                    case .classIDs:
                        guard v == v.rounded(), v >= 0, v <= 255, v == 0 || known[Int(v)] else {
                            throw LearningError.importValue(file: file, value: v.isFinite ? Int(v) : -1, classes: tableText)
                        }
                        out = UInt8(v)
                    case .mask(let foreground, let background):
                        out = v != 0 ? foreground : (background ?? 0)
                    }
                    slab[base + i] = out
                }
                s = part.upperBound
            }
            let slabBlock = Block(shape: Shape(z: range.count, y: shape.y, x: shape.x), elements: slab)
            for chunk in array.chunkIndices(overlapping: Box(z: range, y: 0..<shape.y, x: 0..<shape.x)) {
                let box = array.chunkBox(chunk)
                let piece = slabBlock.cropped(to: box.translated(by: Index3(z: -range.lowerBound, y: 0, x: 0)))
                guard piece.elements.contains(where: { $0 != 0 }) else { continue }
                var merged = array.chunkExists(chunk) ? try array.read(box, as: UInt8.self) : piece
                for i in 0..<piece.elements.count where piece.elements[i] != 0 {
                    merged.elements[i] = piece.elements[i]
                    counts[Int(piece.elements[i]), default: 0] += 1
                }
                try array.write(merged, at: box.lower)
                bounds = bounds?.union(box) ?? box
            }
            progress(range.upperBound, shape.z)
            z = range.upperBound
        }
        if let bounds {
            // One row in the stroke log, so models trained on imported labels name where they came from.
            try project.database.write { db in
                try db.execute(sql: """
                    INSERT INTO stroke (author, created_at, axis, slice, value, z0, y0, x0, z1, y1, x1, voxels)
                    VALUES (?, ?, 'z', ?, 0, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [author, Date(), bounds.lower.z, bounds.lower.z, bounds.lower.y, bounds.lower.x,
                                     bounds.upper.z, bounds.upper.y, bounds.upper.x, counts.values.reduce(0, +)])
            }
        }
        return counts
    }
}
