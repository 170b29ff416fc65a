import Foundation
import GRDB
import TrowelVolume

/// The user's labels: `labels.zarr` (uint8, 0 = unlabelled, chunks only where painted), undo and
/// redo of this session's own strokes, per-class and per-author voxel counts, and the stroke log in
/// `project.sqlite`. Any number of stores (viewers, `trowel labels paint`, imports) may write one
/// project at once: every write locks the chunks it touches (`LabelChunkLocks`), re-reads them from
/// disk, logs its voxels in `stroke_edit` and writes through before it returns, so nobody's voxels
/// are lost and a killed session loses nothing that was painted. `refresh()` takes in what the
/// other sessions wrote.
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
        /// The log edit that wrote it (0 until logged).
        var edit: Int64 = 0

        var reversed: Change { Change(voxel: voxel, old: new, new: old, wasProposed: isProposed, isProposed: wasProposed, edit: edit) }
    }

    struct Stroke {
        var changes: [Change] = []
        var value: UInt8
        var axis: Axis
        var slice: Int
        var box: Box?
        var row: Int64?
        /// Voxels whose label the stroke changed (the log row's `voxels`).
        var changed = 0
        var kind = StrokeEdit.Kind.paint
        /// The stroke's first edit in the log; edits by other sessions after it keep their voxels on undo.
        var firstEdit: Int64?
        /// The latest undo or redo edit of the stroke: on redo, later edits by others keep their voxels.
        var lastEdit: Int64?
        /// The author of the stroke's row when it is not the store's (accepted proposals say whose).
        var rowAuthor: String?
    }

    public let project: Project
    public let shape: Shape
    public let author: String
    /// This store's session in the log: who, where, which process, and a random part.
    public let session: String
    /// Nil in a read-only session on a project that has never been painted.
    let array: ZarrArray?
    /// The cache of `array`: chunks another session wrote are dropped from it before they are read.
    private let cache = ChunkCache(byteBudget: 64 << 20)
    /// The chunk locks; nil in a read-only session.
    let locks: LabelChunkLocks?
    /// The proposal mask, once a proposal has been accepted.
    private var proposals: ZarrArray?
    private var undoStack: [Stroke] = []
    private var redoStack: [Stroke] = []
    private var open: Stroke?
    /// Labelled voxels per class id.
    public var counts: [Int: Int] { runningCounts.filter { $0.value > 0 } }
    /// Counts as changes add up: a class may go below zero for a while when this session paints
    /// over voxels another session labelled before this one took in that session's edit.
    var runningCounts: [Int: Int] = [:]
    /// Who last painted each voxel, from the log.
    private(set) var owners: LabelOwners
    /// The newest edit of the log taken into account (own and others').
    private var lastSeenEdit: Int64 = 0
    /// The authors of the other sessions' edits the last `refresh()` took in, in log order.
    public private(set) var lastRefreshAuthors: [String] = []
    /// The chunks written so far (nil when there are no labels yet in a read-only session).
    let manifest: LabelChunkManifest?
    /// Chunks found missing or unreadable when the store was opened; their voxels read as unlabelled.
    public private(set) var damage: [LabelChunkDamage] = []

    public var canUndo: Bool { !undoStack.isEmpty || open.map { !$0.changes.isEmpty } == true }
    public var canRedo: Bool { !redoStack.isEmpty }
    public var isWritable: Bool { locks != nil }
    /// The log id of this session's latest stroke that is not undone.
    public var lastStrokeID: Int64? { undoStack.last?.row }

    /// Opens (or, when `writable`, creates) the label volume of `project` for a scan of `shape`.
    /// A writable store finishes the edits of writers that were killed between logging and writing.
    public init(project: Project, shape: Shape, author: String, writable: Bool, session: String? = nil) throws {
        self.project = project
        self.shape = shape
        self.author = author
        self.session = session ?? Self.newSession(author: author)
        let url = project.url.appendingPathComponent(Self.folderName)
        if FileManager.default.fileExists(atPath: url.path) {
            array = try ZarrArray.open(at: url, cache: cache)
            guard array!.shape == shape, array!.dtype == .u8 else {
                throw ProjectError.database(project.url.path, "labels.zarr is \(array!.shape) \(array!.dtype), the scan is \(shape)")
            }
        } else if writable {
            let chunks = Shape(z: min(64, shape.z), y: min(64, shape.y), x: min(64, shape.x))
            array = try Self.createShared(at: url, shape: shape, chunks: chunks, cache: cache)
        } else {
            array = nil
        }
        let chunks = array?.chunks ?? Shape(z: min(64, shape.z), y: min(64, shape.y), x: min(64, shape.x))
        owners = LabelOwners(shape: shape, chunks: chunks)
        locks = writable ? try LabelChunkLocks(projectURL: project.url, grid: array?.chunkGrid ?? shape) : nil
        manifest = try array.map { try LabelChunkManifest(array: $0, writable: writable) }
        let maskURL = project.url.appendingPathComponent(Self.proposalsFolderName)
        if FileManager.default.fileExists(atPath: maskURL.path) { proposals = try ZarrArray.open(at: maskURL) }
        if writable {
            // A session killed mid-write (kill -9, a crash) leaves a temporary chunk file; only painted chunks exist, so this is quick.
            array?.removeAbandonedTemporaryFiles()
            proposals?.removeAbandonedTemporaryFiles()
            try recoverAbandonedEdits()
        }
        runningCounts = try countLabels()
        try catchUpOwners()
    }

    /// Creates a uint8 array at `url` as several writers may at the same moment: made aside and
    /// renamed into place, so nobody opens a half-made one; whoever loses the race opens the winner's.
    static func createShared(at url: URL, shape: Shape, chunks: Shape, cache: ChunkCache?) throws -> ZarrArray {
        let aside = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).partial-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        _ = try ZarrArray.create(at: aside, shape: shape, chunks: chunks, dtype: .u8, compressor: .zstd(level: 3))
        if rename(aside.path, url.path) != 0 { try? FileManager.default.removeItem(at: aside) }
        return try ZarrArray.open(at: url, cache: cache)
    }

    /// A new session name: `alice@host:pid:random`.
    public static func newSession(author: String) -> String {
        "\(author)@\(ProcessInfo.processInfo.hostName):\(getpid()):\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"
    }

    /// Counts labelled voxels by class over the chunks that exist, and notes the chunks that are
    /// gone (written once, by the manifest) or do not decode, so one bad file never blocks the project.
    func countLabels() throws -> [Int: Int] {
        guard let array else { return [:] }
        var histogram = [Int](repeating: 0, count: 256)
        let grid = array.chunkGrid
        damage = []
        for z in 0..<grid.z {
            for y in 0..<grid.y {
                for x in 0..<grid.x {
                    let chunk = Index3(z: z, y: y, x: x)
                    let file = Self.chunkFile(chunk, of: array)
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

    /// The file of `chunk` of the labels `array`, relative to the project (`labels.zarr/0/1/0`).
    static func chunkFile(_ chunk: Index3, of array: ZarrArray) -> String {
        folderName + "/" + String(array.chunkURL(chunk).path.dropFirst(array.url.standardizedFileURL.path.count + 1))
    }

    /// What is wrong with a chunk file, without its path (the damage report names the chunk).
    static func reason(_ error: Error) -> String {
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
        runningCounts = try countLabels()
        return done
    }

    // MARK: Painting

    /// Applies dabs and writes them through. `values(box)` gives scan values for the fill tool's window.
    public func paint(_ dabs: [PaintDab], newStroke: Bool, values: (Box) throws -> Block<Float>) throws {
        guard array != nil, let first = dabs.first else { return }
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
        let window = dabs.contains { $0.window != nil } ? try values(box) : nil
        var stroke = open!
        let (changes, _) = try edit(box, stroke: &stroke, kind: .paint) { block, mask in
            var covered = [Bool](repeating: false, count: box.shape.voxelCount)
            var changes: [Change] = []
            for d in dabs {
                for (dr, dc) in d.offsets {
                    let v = d.voxel(dr: dr, dc: dc)
                    guard box.contains(v) else { continue }
                    let local = v - box.lower
                    let i = (local.z * box.shape.y + local.y) * box.shape.x + local.x
                    if covered[i] { continue }
                    if let w = d.window, let window, !w.contains(Double(window[local])) { continue }
                    covered[i] = true
                    // What the user paints is theirs, even where a proposal was accepted (same class included).
                    let proposed = mask.map { $0[local] != 0 } ?? false
                    changes.append(Change(voxel: v, old: block[local], new: d.value, wasProposed: proposed, isProposed: false))
                    block[local] = d.value
                }
            }
            return changes
        }
        stroke.changes += changes
        open = stroke
    }

    /// Closes the current stroke: it becomes one undo step (its row in the log was written with its first edit).
    public func endStroke() throws {
        guard let stroke = open else { return }
        open = nil
        guard stroke.row != nil, !stroke.changes.isEmpty else { return }
        undoStack.append(stroke)
    }

    /// Reverts this session's last stroke, except where another session painted its voxels since;
    /// false when there is none.
    @discardableResult
    public func undo() throws -> Bool {
        try endStroke()
        guard var stroke = undoStack.popLast() else { return false }
        try revert(&stroke, undoing: true)
        redoStack.append(stroke)
        return true
    }

    /// Re-applies the last undone stroke, except where another session painted since the undo;
    /// false when there is none.
    @discardableResult
    public func redo() throws -> Bool {
        try endStroke()
        guard var stroke = redoStack.popLast() else { return false }
        try revert(&stroke, undoing: false)
        undoStack.append(stroke)
        return true
    }

    /// Undoes (or redoes) `stroke` under its chunks' locks: a voxel goes back only if it still holds
    /// what the stroke (or its undo) left and no other session's edit wrote it after this session did.
    /// An undone voxel gets what still stands there (`StandingLabels`), which is not always the label
    /// the stroke found: that one may have come from a stroke undone since (A paints, B paints over,
    /// A undoes, B undoes: 0, not A's).
    private func revert(_ stroke: inout Stroke, undoing: Bool) throws {
        guard let box = stroke.box else { return }
        let list = undoing ? stroke.changes.reversed().map(\.reversed) : stroke.changes
        let redoSince = stroke.lastEdit ?? 0
        let shape = self.shape, session = self.session, database = project.database, row = stroke.row
        let (applied, id) = try edit(box, stroke: &stroke, kind: undoing ? .undo : .redo, marking: undoing) { block, _ in
            let (overlap, arguments) = StrokeEdit.overlapping(box)
            let since = undoing ? (list.map(\.edit).min() ?? 0) : redoSince
            var latest: [Int64: Int64] = [:]
            for e in try database.read({ db in
                try StrokeEdit.fetchAll(db, where: "id > ? AND session != ? AND " + overlap, [since, session] + arguments)
            }) {
                for r in e.voxels { latest[r.index] = e.id }
            }
            // Read under the chunks' locks, where every edit of these voxels is committed and every
            // undone flag over them is set (`edit` sets it in the same transaction as its edit row).
            let restored = undoing
                ? try StandingLabels.before(list.map { (shape.linear($0.voxel), $0.edit) }, in: box, of: shape,
                                           excluding: row, database: database)
                : [:]
            var out: [Change] = []
            for var c in list {
                if let other = latest[shape.linear(c.voxel)], other > (undoing ? c.edit : redoSince) { continue }
                let local = c.voxel - box.lower
                guard block[local] == c.old else { continue }
                if let value = restored[shape.linear(c.voxel)] { c.new = value }
                block[local] = c.new
                out.append(c)
            }
            return out
        }
        if let id { stroke.lastEdit = id }
        if undoing {
            // A redo finds each voxel as this undo left it (which may differ from what the stroke found).
            var left: [Index3: UInt8] = [:]
            for c in applied { left[c.voxel] = c.new }
            for i in stroke.changes.indices { if let v = left[stroke.changes[i].voxel] { stroke.changes[i].old = v } }
        }
    }

    /// Accepts a model's proposal for `box`: its labels fill the voxels nobody has labelled, marked
    /// as proposed. One undoable stroke; returns how many voxels it labelled.
    @discardableResult
    public func acceptProposal(_ labels: Block<UInt8>, at box: Box, modelID: String) throws -> Int {
        guard array != nil, labels.shape == box.shape else { return 0 }
        try endStroke()
        let axis = box.shape.z == 1 ? Axis.z : box.shape.y == 1 ? .y : .x
        var stroke = Stroke(value: 0, axis: axis, slice: box.lower[axis], box: nil, kind: .proposal)
        stroke.rowAuthor = "\(author) (accepted proposal of model \(modelID))"
        let (changes, _) = try edit(box, stroke: &stroke, kind: .proposal) { block, _ in
            var changes: [Change] = []
            for z in 0..<box.shape.z {
                for y in 0..<box.shape.y {
                    for x in 0..<box.shape.x where block[z, y, x] == 0 && labels[z, y, x] != 0 {
                        changes.append(Change(voxel: box.lower + Index3(z: z, y: y, x: x), old: 0, new: labels[z, y, x], isProposed: true))
                        block[z, y, x] = labels[z, y, x]
                    }
                }
            }
            return changes
        }
        try project.database.write { db in
            try db.execute(sql: """
                INSERT INTO proposal (model_id, created_at, z0, y0, x0, z1, y1, x1, accepted) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1)
                """, arguments: [modelID, Date(), box.lower.z, box.lower.y, box.lower.x, box.upper.z, box.upper.y, box.upper.x])
        }
        stroke.changes = changes
        if stroke.row != nil { undoStack.append(stroke) }
        redoStack.removeAll()
        return changes.count
    }

    /// The core of every write: under the locks of the chunks `box` overlaps, reads `box` (and the
    /// proposal mask) fresh from disk, lets `change` edit the labels and return the voxels it covered,
    /// logs them as one uncommitted edit of `stroke` (creating the stroke's row on its first edit),
    /// writes the chunks, and commits the edit. With `marking`, an undo (true) or redo (false) also
    /// sets the stroke's undone flag, in the same transaction as its edit row (or alone, under the
    /// locks, when it covers nothing), so whoever takes these locks next sees both or neither.
    /// Returns the covered voxels (with their edit id) and the edit's id (nil when nothing was covered).
    private func edit(_ box: Box, stroke: inout Stroke, kind: StrokeEdit.Kind, marking undone: Bool? = nil,
                      _ change: (inout Block<UInt8>, Block<UInt8>?) throws -> [Change]) throws -> ([Change], Int64?) {
        guard let array, let locks else { throw SessionError.readOnly("you have no permission to write in this project") }
        let chunkList = array.chunkIndices(overlapping: box)
        return try locks.withLocks(chunkList) { () throws -> ([Change], Int64?) in
            forgetCached(chunkList)
            var block = try array.read(box, as: UInt8.self)
            if proposals == nil, FileManager.default.fileExists(atPath: project.url.appendingPathComponent(Self.proposalsFolderName).path) {
                proposals = try ZarrArray.open(at: project.url.appendingPathComponent(Self.proposalsFolderName))
            }
            let mask = try proposals.map { try $0.read(box, as: UInt8.self) }
            var changes = try change(&block, mask)
            if changes.isEmpty {
                if let undone, let row = stroke.row {
                    try project.database.write { db in
                        try db.execute(sql: "UPDATE stroke SET undone = ? WHERE id = ?", arguments: [undone, row])
                    }
                }
                return ([], nil)
            }
            let records = changes.map { VoxelRecord(index: shape.linear($0.voxel), old: $0.old, new: $0.new) }.sorted { $0.index < $1.index }
            let changed = changes.reduce(0) { $0 + ($1.old != $1.new ? 1 : 0) }
            let now = Date()
            let painting = kind == .paint || kind == .proposal
            let grown = painting ? (stroke.box?.union(box) ?? box) : (stroke.box ?? box)
            let row = stroke.row, value = Int(stroke.value)
            let created = unwritten(chunkList)
            let (strokeID, editID) = try project.database.write { db -> (Int64, Int64) in
                var id = row
                if id == nil {
                    try db.execute(sql: """
                        INSERT INTO stroke (author, created_at, axis, slice, value, z0, y0, x0, z1, y1, x1, voxels, session)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)
                        """, arguments: [stroke.rowAuthor ?? author, now, stroke.axis.description, stroke.slice, value,
                                         box.lower.z, box.lower.y, box.lower.x, box.upper.z, box.upper.y, box.upper.x, session])
                    id = db.lastInsertedRowID
                }
                let editID = try Self.logEdit(in: db, stroke: id!, session: session, author: author, at: now, kind: kind, value: value,
                                              box: box, records: records, created: created)
                if let undone { try db.execute(sql: "UPDATE stroke SET undone = ? WHERE id = ?", arguments: [undone, id]) }
                return (id!, editID)
            }
            try array.write(block, at: box.lower)
            try manifest?.record(box, in: array)
            if changes.contains(where: { $0.wasProposed || $0.isProposed }) {
                let maskArray = try proposalMask()
                var marks = try mask ?? maskArray.read(box, as: UInt8.self)
                for c in changes where c.wasProposed || c.isProposed { marks[c.voxel - box.lower] = c.isProposed ? 1 : 0 }
                try maskArray.write(marks, at: box.lower)
            }
            if painting { stroke.changed += changed }
            let total = stroke.changed
            try project.database.write { db in
                try db.execute(sql: "UPDATE stroke_edit SET committed = 1 WHERE id = ?", arguments: [editID])
                if painting {
                    try db.execute(sql: "UPDATE stroke SET z0 = ?, y0 = ?, x0 = ?, z1 = ?, y1 = ?, x1 = ?, voxels = ? WHERE id = ?",
                                   arguments: [grown.lower.z, grown.lower.y, grown.lower.x, grown.upper.z, grown.upper.y, grown.upper.x,
                                               total, strokeID])
                }
            }
            stroke.row = strokeID
            stroke.box = grown
            for i in changes.indices { changes[i].edit = editID }
            owners.apply(StrokeEdit(id: editID, stroke: strokeID, session: session, author: author, createdAt: now, kind: kind,
                                    value: stroke.value, box: box, committed: true, voxels: records))
            apply(counting: changes)
            return (changes, editID)
        }
    }

    /// Drops `chunks` from the cache, so the next read decodes what is on disk now.
    func forgetCached(_ chunks: [Index3]) {
        guard let array else { return }
        let path = array.url.standardizedFileURL.path
        for c in chunks { cache.removeValue(for: ChunkCache.Key(array: path, chunk: c)) }
    }

    /// Runs `body` on the labels of `box` read fresh from disk under its chunks' locks: how imports
    /// and their undo write beside painters. The voxels `body` returns (each with its label before
    /// and after) are logged as an uncommitted `import` edit of `stroke`, the labels written, the edit
    /// committed, as `edit` does for painting, so the log holds imported voxels too; nothing is
    /// written when it returns none.
    func rewrite(_ box: Box, stroke: Int64, _ body: (inout Block<UInt8>) throws -> [VoxelRecord]) throws {
        guard let array, let locks else { throw SessionError.readOnly("you have no permission to write in this project") }
        let chunkList = array.chunkIndices(overlapping: box)
        try locks.withLocks(chunkList) {
            forgetCached(chunkList)
            var block = try array.read(box, as: UInt8.self)
            let records = try body(&block).sorted { $0.index < $1.index }
            guard !records.isEmpty else { return }
            let created = unwritten(chunkList)
            let session = self.session, author = self.author
            let editID = try project.database.write { db in
                try Self.logEdit(in: db, stroke: stroke, session: session, author: author, at: Date(), kind: .import, value: 0,
                                 box: box, records: records, created: created)
            }
            try array.write(block, at: box.lower)
            try manifest?.record(box, in: array)
            try project.database.write { db in
                try db.execute(sql: "UPDATE stroke_edit SET committed = 1 WHERE id = ?", arguments: [editID])
            }
        }
    }

    /// The chunks of `chunkList` that have never been written (no file, and unknown to the manifest):
    /// a write of them now creates them from nothing.
    private func unwritten(_ chunkList: [Index3]) -> [Index3] {
        guard let array else { return [] }
        return chunkList.filter { !array.chunkExists($0) && manifest?.known.contains($0) != true }
    }

    /// Logs an uncommitted edit of `stroke` over `box` with the voxels `records` (sorted by index),
    /// noting the chunks `created` it makes from nothing; returns the edit's id.
    private static func logEdit(in db: Database, stroke: Int64, session: String, author: String, at time: Date,
                                kind: StrokeEdit.Kind, value: Int, box: Box, records: [VoxelRecord], created: [Index3]) throws -> Int64 {
        try db.execute(sql: """
            INSERT INTO stroke_edit (stroke_id, session, author, created_at, kind, value, z0, y0, x0, z1, y1, x1, voxels, committed, changes)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)
            """, arguments: [stroke, session, author, time, kind.rawValue, value, box.lower.z, box.lower.y, box.lower.x,
                             box.upper.z, box.upper.y, box.upper.x, records.count, VoxelRecord.encode(records)])
        let id = db.lastInsertedRowID
        try noteLogged(created, edit: id, in: db)
        return id
    }

    /// Notes in `label_chunk` that the log holds chunks `created` whole: logged edit `edit` is
    /// creating them, so every label they will hold is in the log.
    static func noteLogged(_ created: [Index3], edit: Int64, in db: Database) throws {
        for c in created {
            try db.execute(sql: "INSERT OR IGNORE INTO label_chunk (z, y, x, first_edit) VALUES (?, ?, ?, ?)", arguments: [c.z, c.y, c.x, edit])
        }
    }

    // MARK: Other sessions

    /// Takes in what other sessions wrote since the last call: their chunks are dropped from the
    /// cache, counts and owners updated. Returns the boxes they wrote (empty when none). An edit
    /// left uncommitted for over two seconds (its writer was killed) is finished here.
    @discardableResult
    public func refresh() throws -> [Box] {
        let edits = try project.database.read { db in try StrokeEdit.fetchAll(db, where: "id > ?", [lastSeenEdit]) }
        var boxes: [Box] = []
        var recount = false
        lastRefreshAuthors = []
        for e in edits {
            if !e.committed {
                let age = Date().timeIntervalSince(e.createdAt)
                if isWritable, age > 2 { try recover(e) }
                // A read-only session cannot finish it; after a while it stops waiting for it.
                guard !isWritable, age > 10 else { break }
                lastSeenEdit = e.id
                continue
            }
            lastSeenEdit = e.id
            guard e.session != session else { continue }
            if let array { forgetCached(array.chunkIndices(overlapping: e.box)) }
            if e.kind == .import {
                recount = true
            } else {
                for r in e.voxels where r.old != r.new {
                    if r.old != 0 { runningCounts[Int(r.old), default: 0] -= 1 }
                    if r.new != 0 { runningCounts[Int(r.new), default: 0] += 1 }
                }
                owners.apply(e)
            }
            boxes.append(e.box)
            lastRefreshAuthors.append(e.author)
        }
        if recount { runningCounts = try countLabels() }
        return boxes
    }

    /// Labelled voxels by the author who last painted them, by class (imported labels have none).
    public var countsByAuthor: [String: [Int: Int]] { owners.countsByAuthor }

    /// The author who last painted voxel `v`, nil when it is unlabelled or was imported.
    public func author(at v: Index3) -> String? { owners.author(at: v) }

    /// Who painted slice `index`: owner numbers per voxel (0 = unlabelled or this store's author,
    /// n = `authors[n - 1]`), nil when no other author painted it.
    public func otherAuthors(axis: Axis, at index: Int) -> (authors: [String], owners: [UInt8])? {
        owners.plane(axis: axis, index: index, except: author)
    }

    /// Replays the committed edits of the log into `owners` (at open), up to the first uncommitted one.
    private func catchUpOwners() throws {
        let edits = try project.database.read { db in try StrokeEdit.fetchAll(db, where: "id > ?", [lastSeenEdit]) }
        for e in edits {
            guard e.committed else { break }
            owners.apply(e)
            lastSeenEdit = e.id
        }
    }

    /// Finishes the edits of writers killed between logging an edit and committing it.
    private func recoverAbandonedEdits() throws {
        for e in try project.database.read({ db in try StrokeEdit.fetchAll(db, where: "committed = 0") }) { try recover(e) }
    }

    /// Under the edit's chunk locks (so a live writer has finished with it), if it is still
    /// uncommitted: writes its labels where no later edit wrote the voxel, then commits it. Its
    /// place in the log stays, so "the last edit of a voxel wins" holds after a `kill -9` too.
    private func recover(_ e: StrokeEdit) throws {
        guard let array, let locks else { return }
        let chunkList = array.chunkIndices(overlapping: e.box)
        try locks.withLocks(chunkList) {
            let (overlap, arguments) = StrokeEdit.overlapping(e.box)
            let (current, later) = try project.database.read { db -> (StrokeEdit?, [StrokeEdit]) in
                (try StrokeEdit.fetchAll(db, where: "id = ?", [e.id]).first,
                 try StrokeEdit.fetchAll(db, where: "id > ? AND " + overlap, [e.id] + arguments))
            }
            guard let current, !current.committed else { return }
            var written = Set<Int64>()
            for l in later { for r in l.voxels { written.insert(r.index) } }
            forgetCached(chunkList)
            var block = try array.read(e.box, as: UInt8.self)
            for r in current.voxels where !written.contains(r.index) { block[shape.voxel(r.index) - e.box.lower] = r.new }
            let created = unwritten(chunkList)
            try array.write(block, at: e.box.lower)
            try manifest?.record(e.box, in: array)
            try project.database.write { db in
                try Self.noteLogged(created, edit: e.id, in: db)
                try db.execute(sql: "UPDATE stroke_edit SET committed = 1 WHERE id = ?", arguments: [e.id])
            }
        }
    }

    /// The proposal mask, created on first use (or opened, when another writer created it first).
    private func proposalMask() throws -> ZarrArray {
        if let proposals { return proposals }
        let url = project.url.appendingPathComponent(Self.proposalsFolderName)
        let mask = try Self.createShared(at: url, shape: shape, chunks: array?.chunks ?? .cube(64), cache: nil)
        proposals = mask
        return mask
    }

    private func apply(counting changes: [Change]) {
        for c in changes where c.old != c.new {
            if c.old != 0 { runningCounts[Int(c.old), default: 0] -= 1 }
            if c.new != 0 { runningCounts[Int(c.new), default: 0] += 1 }
        }
    }
}
