import Foundation
import GRDB
import TrowelVolume

/// The user's labels: `labels.zarr` (uint8, 0 = unlabelled, chunks only where painted), undo and
/// redo of whole strokes within a session (sparse diffs), per-class voxel counts, and a row per
/// stroke in `project.sqlite`. Every paint call is written through to disk before it returns, so
/// a killed session loses nothing that was painted.
public final class LabelStore {
    public static let folderName = "labels.zarr"
    /// uint8 mask beside the labels: 1 where a label came from an accepted model proposal (such
    /// voxels train models but are never used to score them); cleared wherever the user paints.
    public static let proposalsFolderName = "proposals.zarr"

    /// One voxel's change: where, and the label (and proposal mark) before and after.
    struct Change {
        var voxel: Index3
        var old: UInt8
        var new: UInt8
        var wasProposed = false
        var isProposed = false

        var reversed: Change { Change(voxel: voxel, old: new, new: old, wasProposed: isProposed, isProposed: wasProposed) }
    }

    struct Stroke {
        var changes: [Change] = []
        var value: UInt8
        var axis: Axis
        var slice: Int
        var box: Box?
        var row: Int64?
    }

    public let project: Project
    public let shape: Shape
    public let author: String
    /// Nil in a read-only session on a project that has never been painted.
    let array: ZarrArray?
    /// The proposal mask, once a proposal has been accepted.
    private var proposals: ZarrArray?
    private var undoStack: [Stroke] = []
    private var redoStack: [Stroke] = []
    private var open: Stroke?
    /// Labelled voxels per class id.
    public private(set) var counts: [Int: Int] = [:]
    /// The chunks written so far (nil when there are no labels yet in a read-only session).
    let manifest: LabelChunkManifest?
    /// Chunks found missing or unreadable when the store was opened; their voxels read as unlabelled.
    public private(set) var damage: [LabelChunkDamage] = []

    public var canUndo: Bool { !undoStack.isEmpty || open.map { !$0.changes.isEmpty } == true }
    public var canRedo: Bool { !redoStack.isEmpty }

    /// Opens (or, when `writable`, creates) the label volume of `project` for a scan of `shape`.
    public init(project: Project, shape: Shape, author: String, writable: Bool) throws {
        self.project = project
        self.shape = shape
        self.author = author
        let url = project.url.appendingPathComponent(Self.folderName)
        if FileManager.default.fileExists(atPath: url.path) {
            array = try ZarrArray.open(at: url, cache: ChunkCache(byteBudget: 64 << 20))
            guard array!.shape == shape, array!.dtype == .u8 else {
                throw ProjectError.database(project.url.path, "labels.zarr is \(array!.shape) \(array!.dtype), the scan is \(shape)")
            }
        } else if writable {
            array = try ZarrArray.create(at: url, shape: shape, chunks: Shape(z: min(64, shape.z), y: min(64, shape.y), x: min(64, shape.x)),
                                         dtype: .u8, compressor: .zstd(level: 3), cache: ChunkCache(byteBudget: 64 << 20))
        } else {
            array = nil
        }
        manifest = try array.map { try LabelChunkManifest(array: $0, writable: writable) }
        let maskURL = project.url.appendingPathComponent(Self.proposalsFolderName)
        if FileManager.default.fileExists(atPath: maskURL.path) { proposals = try ZarrArray.open(at: maskURL) }
        if writable {
            // A session killed mid-write (kill -9, a crash) leaves a temporary chunk file; only painted chunks exist, so this is quick.
            array?.removeAbandonedTemporaryFiles()
            proposals?.removeAbandonedTemporaryFiles()
        }
        counts = try countLabels()
    }

    /// Counts labelled voxels by class over the chunks that exist, and notes the chunks that are
    /// gone (written once, by the manifest) or do not decode, so one bad file never blocks the project.
    private func countLabels() throws -> [Int: Int] {
        guard let array else { return [:] }
        var histogram = [Int](repeating: 0, count: 256)
        let grid = array.chunkGrid
        damage = []
        for z in 0..<grid.z {
            for y in 0..<grid.y {
                for x in 0..<grid.x {
                    let chunk = Index3(z: z, y: y, x: x)
                    let file = Self.folderName + "/" + String(array.chunkURL(chunk).path.dropFirst(array.url.standardizedFileURL.path.count + 1))
                    guard array.chunkExists(chunk) else {
                        if manifest?.known.contains(chunk) == true {
                            damage.append(LabelChunkDamage(chunk: chunk, file: file, box: array.chunkBox(chunk), kind: .missing))
                        }
                        continue
                    }
                    do {
                        for v in try array.read(array.chunkBox(chunk), as: UInt8.self).elements { histogram[Int(v)] += 1 }
                    } catch {
                        damage.append(LabelChunkDamage(chunk: chunk, file: file, box: array.chunkBox(chunk),
                                                       kind: .unreadable(Self.reason(error))))
                    }
                }
            }
        }
        var out: [Int: Int] = [:]
        for (value, n) in histogram.enumerated() where value > 0 && n > 0 { out[value] = n }
        return out
    }

    /// What is wrong with a chunk file, without its path (the damage report names the chunk).
    private static func reason(_ error: Error) -> String {
        guard let zarr = error as? ZarrError else { return "\(error)" }
        let text = zarr.description, prefix = zarr.path + ": "
        return text.hasPrefix(prefix) ? String(text.dropFirst(prefix.count)) : text
    }

    /// Labels of the whole slice `index` across `axis`; the voxels of unreadable chunks read as 0.
    public func slice(axis: Axis, at index: Int) throws -> Block<UInt8> {
        let box = Box.slice(axis: axis, at: index, of: shape)
        guard let array else { return Block(shape: box.shape, repeating: 0) }
        let unreadable = damage.filter { $0.kind != .missing && !$0.box.intersection(box).isEmpty }
        guard !unreadable.isEmpty else { return try array.read(box, as: UInt8.self) }
        var out = Block<UInt8>(shape: box.shape, repeating: 0)
        let skip = Set(unreadable.map(\.chunk))
        for chunk in array.chunkIndices(overlapping: box) where !skip.contains(chunk) {
            let part = array.chunkBox(chunk).intersection(box)
            out.copy(from: try array.read(part, as: UInt8.self), at: part.lower, into: box.lower)
        }
        return out
    }

    /// Moves the files of unreadable chunks into `labels.zarr/.damaged/` (kept, not deleted, for
    /// whoever can repair them) and forgets missing ones, so the project trains on the labels that
    /// are left. Returns what was done, one line per chunk.
    public func setAsideDamage() throws -> [String] {
        guard let array, let manifest else { return [] }
        let folder = array.url.appendingPathComponent(".damaged")
        var done: [String] = []
        let stamp = ISO8601DateFormatter().string(from: Date()).replacingOccurrences(of: ":", with: "")
        for d in damage {
            switch d.kind {
            case .missing:
                try manifest.forget([d.chunk])
                done.append("\(d.file) (\(d.place)): forgotten; repaint those slices")
            case .unreadable:
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                let target = folder.appendingPathComponent("\(d.chunk.z).\(d.chunk.y).\(d.chunk.x)-\(stamp)")
                try FileManager.default.moveItem(at: array.chunkURL(d.chunk), to: target)
                try manifest.forget([d.chunk])
                done.append("\(d.file) (\(d.place)): moved to \(Self.folderName)/.damaged/\(target.lastPathComponent); repaint those slices")
            }
        }
        counts = try countLabels()
        return done
    }

    /// Applies dabs and writes them through. `values(box)` gives scan values for the fill tool's window.
    public func paint(_ dabs: [PaintDab], newStroke: Bool, values: (Box) throws -> Block<Float>) throws {
        guard let array, let first = dabs.first else { return }
        if newStroke || open == nil {
            try endStroke()
            open = Stroke(value: first.value, axis: first.axis, slice: first.slice)
            redoStack.removeAll()
        }
        // One box around all dabs (one voxel thick across the slice axis), read once, written once.
        var lower = first.voxel(dr: -first.radius, dc: -first.radius), upper = first.voxel(dr: first.radius, dc: first.radius)
        for d in dabs {
            lower = lower.clamped(below: d.voxel(dr: -d.radius, dc: -d.radius))
            upper = upper.clamped(above: d.voxel(dr: d.radius, dc: d.radius))
        }
        let box = Box(lower: lower, upper: upper + Index3(z: 1, y: 1, x: 1)).intersection(shape.box)
        if box.isEmpty { return }
        var block = try array.read(box, as: UInt8.self)
        let window = dabs.contains { $0.window != nil } ? try values(box) : nil
        // What the user paints is theirs, even where a proposal was accepted (same class included).
        var mask = try proposals.map { try $0.read(box, as: UInt8.self) }
        var changes: [Change] = []
        for d in dabs {
            for (dr, dc) in d.offsets {
                let v = d.voxel(dr: dr, dc: dc)
                guard box.contains(v) else { continue }
                let local = v - box.lower
                if let w = d.window, let window, !w.contains(Double(window[local])) { continue }
                let old = block[local]
                let proposed = mask.map { $0[local] != 0 } ?? false
                if old != d.value || proposed {
                    block[local] = d.value
                    mask?[local] = 0
                    changes.append(Change(voxel: v, old: old, new: d.value, wasProposed: proposed, isProposed: false))
                }
            }
        }
        if changes.isEmpty { return }
        try array.write(block, at: box.lower)
        try manifest?.record(box, in: array)
        if let mask, changes.contains(where: \.wasProposed) { try proposals!.write(mask, at: box.lower) }
        apply(counting: changes)
        open!.changes += changes
        open!.box = open!.box?.union(box) ?? box
    }

    /// Closes the current stroke: it becomes one undo step and one row in the stroke log.
    public func endStroke() throws {
        guard var stroke = open else { return }
        open = nil
        guard !stroke.changes.isEmpty, let box = stroke.box else { return }
        stroke.row = try project.database.write { db -> Int64 in
            try db.execute(sql: """
                INSERT INTO stroke (author, created_at, axis, slice, value, z0, y0, x0, z1, y1, x1, voxels)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [author, Date(), stroke.axis.description, stroke.slice, Int(stroke.value),
                                 box.lower.z, box.lower.y, box.lower.x, box.upper.z, box.upper.y, box.upper.x, stroke.changes.count])
            return db.lastInsertedRowID
        }
        undoStack.append(stroke)
    }

    /// Reverts the last stroke; false when there is none.
    @discardableResult
    public func undo() throws -> Bool {
        try endStroke()
        guard let stroke = undoStack.popLast() else { return false }
        try write(stroke.changes.reversed().map(\.reversed))
        try mark(stroke, undone: true)
        redoStack.append(stroke)
        return true
    }

    /// Re-applies the last undone stroke; false when there is none.
    @discardableResult
    public func redo() throws -> Bool {
        try endStroke()
        guard let stroke = redoStack.popLast() else { return false }
        try write(stroke.changes)
        try mark(stroke, undone: false)
        undoStack.append(stroke)
        return true
    }

    private func mark(_ stroke: Stroke, undone: Bool) throws {
        guard let row = stroke.row else { return }
        try project.database.write { db in
            try db.execute(sql: "UPDATE stroke SET undone = ? WHERE id = ?", arguments: [undone, row])
        }
    }

    /// Writes `changes` (their `new` values) to disk, chunk by chunk.
    private func write(_ changes: [Change]) throws {
        guard let array, !changes.isEmpty else { return }
        var byChunk: [Index3: [Change]] = [:]
        for c in changes {
            byChunk[Index3(z: c.voxel.z / array.chunks.z, y: c.voxel.y / array.chunks.y, x: c.voxel.x / array.chunks.x), default: []].append(c)
        }
        for (chunk, list) in byChunk {
            let box = array.chunkBox(chunk)
            var block = try array.read(box, as: UInt8.self)
            for c in list { block[c.voxel - box.lower] = c.new }
            try array.write(block, at: box.lower)
            try manifest?.record(box, in: array)
            if list.contains(where: { $0.wasProposed || $0.isProposed }) {
                let mask = try proposalMask()
                var marks = try mask.read(box, as: UInt8.self)
                for c in list { marks[c.voxel - box.lower] = c.isProposed ? 1 : 0 }
                try mask.write(marks, at: box.lower)
            }
        }
        apply(counting: changes)
    }

    /// Accepts a model's proposal for `box`: its labels fill the voxels the user has not labelled,
    /// marked as proposed. One undoable stroke; returns how many voxels it labelled.
    @discardableResult
    public func acceptProposal(_ labels: Block<UInt8>, at box: Box, modelID: String) throws -> Int {
        guard let array, labels.shape == box.shape else { return 0 }
        try endStroke()
        let current = try array.read(box, as: UInt8.self)
        var changes: [Change] = []
        for z in 0..<box.shape.z {
            for y in 0..<box.shape.y {
                for x in 0..<box.shape.x where current[z, y, x] == 0 && labels[z, y, x] != 0 {
                    changes.append(Change(voxel: box.lower + Index3(z: z, y: y, x: x), old: 0, new: labels[z, y, x], isProposed: true))
                }
            }
        }
        try write(changes)
        let axis = box.shape.z == 1 ? Axis.z : box.shape.y == 1 ? .y : .x
        var stroke = Stroke(changes: changes, value: 0, axis: axis, slice: box.lower[axis], box: box)
        stroke.row = try project.database.write { db -> Int64 in
            try db.execute(sql: """
                INSERT INTO proposal (model_id, created_at, z0, y0, x0, z1, y1, x1, accepted) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1)
                """, arguments: [modelID, Date(), box.lower.z, box.lower.y, box.lower.x, box.upper.z, box.upper.y, box.upper.x])
            try db.execute(sql: """
                INSERT INTO stroke (author, created_at, axis, slice, value, z0, y0, x0, z1, y1, x1, voxels)
                VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: ["\(author) (accepted proposal of model \(modelID))", Date(), axis.description, box.lower[axis],
                                 box.lower.z, box.lower.y, box.lower.x, box.upper.z, box.upper.y, box.upper.x, changes.count])
            return db.lastInsertedRowID
        }
        undoStack.append(stroke)
        redoStack.removeAll()
        return changes.count
    }

    /// The proposal mask, created on first use.
    private func proposalMask() throws -> ZarrArray {
        if let proposals { return proposals }
        let mask = try ZarrArray.create(at: project.url.appendingPathComponent(Self.proposalsFolderName), shape: shape,
                                        chunks: array?.chunks ?? .cube(64), dtype: .u8, compressor: .zstd(level: 3))
        proposals = mask
        return mask
    }

    private func apply(counting changes: [Change]) {
        for c in changes {
            if c.old != 0 { counts[Int(c.old), default: 0] -= 1 }
            if c.new != 0 { counts[Int(c.new), default: 0] += 1 }
        }
        counts = counts.filter { $0.value > 0 }
    }
}
