import Foundation
import GRDB
import Testing
import TrowelVolume
@testable import TrowelEngine

@Suite(.serialized) struct AnnotationTests {
    let parent = FileManager.default.temporaryDirectory.appendingPathComponent("trowel-annotate-\(UUID().uuidString)")

    /// A small project from the phantom.
    func makeProject() throws -> Project { try PhantomProject.make(in: parent) }

    /// Voxels in a brush disc of `radius`.
    func disc(_ radius: Int) -> Int { PaintDab(axis: .z, slice: 0, row: 0, column: 0, radius: radius, value: 1).offsets.count }

    func dab(_ row: Int, _ column: Int, value: UInt8 = 1, radius: Int = 1, slice: Int = 5, axis: Axis = .z,
             window: ClosedRange<Double>? = nil) -> PaintDab {
        PaintDab(axis: axis, slice: slice, row: row, column: column, radius: radius, value: value, window: window)
    }

    @Test func strokesAreOnDiskAtOnceAndUndoRedoWholeStrokes() throws {
        defer { try? FileManager.default.removeItem(at: parent) }
        let project = try makeProject()
        let session = try AnnotationSession(project: project, author: "tester")
        try session.paint([dab(10, 10)], newStroke: true)
        try session.paint([dab(10, 14)], newStroke: false)          // a line of dabs, one stroke
        // Written through: a fresh reader of labels.zarr sees it before the stroke ends.
        let onDisk = try ZarrArray.open(at: project.url.appendingPathComponent("labels.zarr"))
        let painted = try onDisk.read(Box.slice(axis: .z, at: 5, of: onDisk.shape), as: UInt8.self).elements.filter { $0 == 1 }.count
        #expect(painted >= 10 && session.labels.counts[1] == painted)
        try session.paint([dab(30, 30, value: 2)], newStroke: true)
        try session.labels.endStroke()
        #expect(session.labels.counts[2] == disc(1))
        try session.labels.undo()
        #expect(session.labels.counts[2] == nil && session.labels.counts[1] == painted)
        try session.labels.undo()
        #expect(session.labels.counts.isEmpty && !session.labels.canUndo && session.labels.canRedo)
        #expect(try session.labels.slice(axis: .z, at: 5).elements.allSatisfy { $0 == 0 })
        try session.labels.redo()
        #expect(session.labels.counts[1] == painted)
        let log = try project.database.read { db in
            try Row.fetchAll(db, sql: "SELECT author, axis, slice, value, voxels, undone FROM stroke ORDER BY id")
        }
        #expect(log.count == 2)
        let author: String = log[0]["author"], axis: String = log[0]["axis"]
        let slice: Int = log[0]["slice"], voxels: Int = log[0]["voxels"]
        let firstUndone: Bool = log[0]["undone"], secondUndone: Bool = log[1]["undone"]
        #expect(author == "tester" && axis == "z" && slice == 5 && voxels == painted)
        #expect(!firstUndone && secondUndone)
    }

    @Test func eraserAndOverpaintKeepCountsRight() throws {
        defer { try? FileManager.default.removeItem(at: parent) }
        let session = try AnnotationSession(project: try makeProject())
        try session.paint([dab(20, 20, radius: 2)], newStroke: true)
        try session.paint([dab(20, 20, value: 2, radius: 1)], newStroke: true)
        #expect(disc(1) == 9 && disc(2) == 21)
        #expect(session.labels.counts == [1: disc(2) - disc(1), 2: disc(1)])
        try session.paint([dab(20, 20, value: 0, radius: 3)], newStroke: true)
        #expect(session.labels.counts.isEmpty)
    }

    @Test func fillPaintsOnlyVoxelsInsideTheWindow() throws {
        defer { try? FileManager.default.removeItem(at: parent) }
        let project = try makeProject()
        let session = try AnnotationSession(project: project)
        try session.paint([dab(20, 20, radius: 6, window: 0...110)], newStroke: true)
        let box = Box.slice(axis: .z, at: 5, of: session.volume.shape)
        let values = try session.volume.read(box).converted(to: Float.self).elements
        let labels = try session.labels.slice(axis: .z, at: 5).elements
        let painted = zip(labels, values).filter { $0.0 == 1 }
        #expect(!painted.isEmpty && painted.allSatisfy { $0.1 <= 110 })
        #expect(painted.count < PaintDab(axis: .z, slice: 0, row: 0, column: 0, radius: 6, value: 1).offsets.count)
    }

    @Test func labelsAndCountsSurviveReopening() throws {
        defer { try? FileManager.default.removeItem(at: parent) }
        let project = try makeProject()
        do {
            let session = try AnnotationSession(project: project)
            try session.paint([dab(3, 3, axis: .y)], newStroke: true)
            try session.paint([dab(7, 7, value: 2, axis: .x)], newStroke: true)
        }
        let again = try AnnotationSession(project: try Project.open(at: project.url))
        #expect(again.labels.counts == [1: disc(1), 2: disc(1)])
        #expect(try again.labels.slice(axis: .y, at: 5).elements.filter { $0 == 1 }.count == disc(1))
    }

    @Test func aSecondSessionPaintsBesideTheFirst() throws {
        defer { try? FileManager.default.removeItem(at: parent) }
        let project = try makeProject()
        let first = try AnnotationSession(project: project, author: "alice")
        let second = try AnnotationSession(project: try Project.open(at: project.url), author: "bob")
        #expect(!first.isReadOnly && !second.isReadOnly && first.readOnlyReason == nil)
        try first.paint([dab(1, 1)], newStroke: true)
        try second.paint([dab(1, 2, value: 2)], newStroke: true)
        try first.labels.endStroke()
        try second.labels.endStroke()
        #expect(try first.labels.refresh().count == 1)
        #expect(try second.labels.refresh().count == 1)
        #expect(first.labels.counts == second.labels.counts && first.labels.counts[2] == disc(1))
    }

    @Test func tasksArePatchesInsideTheSliceAndCanBeSubmitted() throws {
        defer { try? FileManager.default.removeItem(at: parent) }
        let project = try makeProject()
        let tasks = TaskStore(project: project, shape: Shape(z: 24, y: 40, x: 40))
        for _ in 0..<20 {
            let t = try tasks.newTask(axis: .y, size: 32, author: "me")
            #expect(t.rows.count == 24 && t.columns.count == 32)      // rows are z (24 slices)
            #expect(t.rows.upperBound <= 24 && t.columns.upperBound <= 40 && t.slice < 40)
        }
        let all = try tasks.all()
        #expect(all.count == 20 && all.allSatisfy { !$0.submitted })
        try tasks.submit(all[3].id)
        #expect(try tasks.all().filter(\.submitted).map(\.id) == [all[3].id])
    }

    @Test func classesCanBeAddedRenamedAndRecoloured() throws {
        defer { try? FileManager.default.removeItem(at: parent) }
        let project = try makeProject()
        let tooth = try project.addClass(name: "tooth", color: nil, palette: ["#111111", "#222222", "#333333"])
        #expect(tooth.id == 3 && tooth.color == "#333333")
        #expect(throws: ProjectError.classExists("bone")) { try project.addClass(name: "bone", color: nil, palette: []) }
        try project.updateClass(id: 2, name: "rock", color: "#00ff00")
        #expect(try project.classes().map(\.name) == ["bone", "rock", "tooth"])
        #expect(throws: ProjectError.noSuchClass(9)) { try project.updateClass(id: 9, name: "x") }
    }

    @Test func acceptedProposalsTrainButAreNotScoredUntilTheUserPaintsThem() throws {
        defer { try? FileManager.default.removeItem(at: parent) }
        let project = try makeProject()
        let session = try AnnotationSession(project: project)
        try session.paint([dab(10, 10, value: 1, radius: 0)], newStroke: true)      // the user's own label inside the patch
        try session.labels.endStroke()
        let box = Box(z: 5..<6, y: 8..<14, x: 8..<14)
        let proposal = Block<UInt8>(shape: box.shape, repeating: 2)
        let accepted = try session.labels.acceptProposal(proposal, at: box, modelID: "m1")
        #expect(accepted == 35, "the user's voxel is kept")
        #expect(session.labels.counts == [1: 1, 2: 35])
        func scoredCount() throws -> Int { try LabelledSet.gather(from: project, shape: session.volume.shape).scored.filter { $0 }.count }
        #expect(try scoredCount() == 1)
        // Painting over proposed voxels makes them the user's.
        try session.paint([dab(12, 12, value: 2, radius: 0), dab(12, 13, value: 1, radius: 0)], newStroke: true)
        try session.labels.endStroke()
        #expect(try scoredCount() == 3)
        try session.labels.undo()
        #expect(try scoredCount() == 1, "undo gives the voxels back to the proposal")
        try session.labels.undo()
        let finalScored = try scoredCount()
        #expect(session.labels.counts == [1: 1] && finalScored == 1)
        let rows = try project.database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM proposal WHERE accepted = 1") }
        #expect(rows == 1)
    }

    /// Slices from a block; `failing` throws when a read reaches that slice (a truncated file).
    struct LabelSource: SliceSource {
        let block: Block<UInt8>
        var failing: Int?
        var shape: Shape { block.shape }
        var dtype: DType { .u8 }
        var summary: String { "test labels" }
        func readSlices(_ range: Range<Int>) throws -> AnyBlock {
            if let failing, range.contains(failing) { throw ImportError.unreadable(file: "labels.tif", page: failing, reason: "truncated") }
            return AnyBlock(block.cropped(to: Box(z: range, y: 0..<shape.y, x: 0..<shape.x)))
        }
    }

    @Test func anImportThatCannotBeReadToTheEndWritesNothing() throws {
        defer { try? FileManager.default.removeItem(at: parent) }
        // 80 slices: labels.zarr chunks are 64 deep, so the last slice is in the second slab.
        try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        let project = try ProjectBuilder().build(from: try FossilPhantom(size: 16, slices: 80), at: parent.appendingPathComponent("deep.trowel")).0
        let shape = try project.record().shape
        try LabelImport(project: project).run(from: LabelSource(block: Block(shape: shape, repeating: 1)), file: "ones", mapping: .classIDs)
        // A read failure on the last slice used to leave every slab before it imported.
        #expect(throws: ImportError.self) {
            try LabelImport(project: project).run(from: LabelSource(block: Block(shape: shape, repeating: 2), failing: shape.z - 1),
                                                  file: "labels.tif", mapping: .classIDs)
        }
        let labels = try LabelStore(project: project, shape: shape, author: "t", writable: false)
        #expect(labels.counts == [1: shape.voxelCount])
        let strokes = try project.database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM stroke") }
        #expect(strokes == 1)
    }

    @Test func undoingAnImportKeepsWhatWasPaintedSince() throws {
        defer { try? FileManager.default.removeItem(at: parent) }
        let project = try makeProject()
        let shape = try project.record().shape
        // Sessions hold the project's lock while open, so each is closed before the next command.
        do {
            let session = try AnnotationSession(project: project, author: "tester")
            try session.paint([dab(10, 10, value: 2, radius: 2)], newStroke: true)
            try session.labels.endStroke()
        }
        let before = try LabelStore(project: project, shape: shape, author: "t", writable: false).slice(axis: .z, at: 5)
        // An import of bone on slices 4…6; then the user paints matrix over part of it.
        var imported = Block<UInt8>(shape: shape, repeating: 0)
        for z in 4...6 { for y in 0..<shape.y { for x in 0..<shape.x { imported[z, y, x] = 1 } } }
        let counts = try LabelImport(project: project).run(from: LabelSource(block: imported), file: "bone.tif", mapping: .classIDs)
        #expect(counts == [1: 3 * shape.y * shape.x])
        do {
            let painter = try AnnotationSession(project: project, author: "tester")
            try painter.paint([dab(30, 30, value: 2, radius: 1)], newStroke: true)
            try painter.labels.endStroke()
        }
        let undone = try #require(try LabelImport(project: project).undoLast())
        #expect(undone.info.file == "bone.tif")
        #expect(undone.kept == disc(1))
        #expect(undone.restored == 3 * shape.y * shape.x - disc(1))
        let labels = try LabelStore(project: project, shape: shape, author: "t", writable: false)
        let after = try labels.slice(axis: .z, at: 5)
        for y in 0..<shape.y {
            for x in 0..<shape.x {
                let paintedSince = (y - 30) * (y - 30) + (x - 30) * (x - 30) <= 2   // a radius-1 dab is 3×3
                #expect(after[0, y, x] == (paintedSince ? 2 : before[0, y, x]))
            }
        }
        #expect(try labels.slice(axis: .z, at: 4).elements.allSatisfy { $0 == 0 })
        let undoneRow = try project.database.read { db in try Bool.fetchOne(db, sql: "SELECT undone FROM stroke WHERE id = ?", arguments: [undone.info.stroke]) }
        #expect(undoneRow == true)
        #expect(try LabelImport(project: project).undoLast() == nil)
    }

    /// A deleted labels chunk used to lose its labels silently, and a corrupt one to block the
    /// project; both are now found when the labels are opened, with the slices they held.
    @Test func aDeletedOrCorruptLabelsChunkIsReportedAndDoesNotBlockTheProject() throws {
        defer { try? FileManager.default.removeItem(at: parent) }
        try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        let project = try ProjectBuilder().build(from: try FossilPhantom(size: 80, slices: 70), at: parent.appendingPathComponent("c.trowel")).0
        let shape = try project.record().shape
        // Three painted chunks: (0,0,0), (0,0,1) and (1,0,0) of the 64³ label chunks.
        do {
            let session = try AnnotationSession(project: project, author: "tester")
            try session.paint([dab(10, 10, value: 1, slice: 5)], newStroke: true)
            try session.paint([dab(10, 70, value: 2, slice: 5)], newStroke: true)
            try session.paint([dab(10, 10, value: 2, slice: 66)], newStroke: true)
            try session.labels.endStroke()
        }
        let labels = project.url.appendingPathComponent("labels.zarr")
        let array = try ZarrArray.open(at: labels)
        try FileManager.default.removeItem(at: array.chunkURL(Index3(z: 0, y: 0, x: 1)))
        try Data("not zstd".utf8).write(to: array.chunkURL(Index3(z: 1, y: 0, x: 0)))

        let store = try LabelStore(project: project, shape: shape, author: "t", writable: false)
        #expect(store.counts == [1: disc(1)])
        #expect(store.damage.count == 2)
        let missing = try #require(store.damage.first { $0.kind == .missing })
        #expect(missing.chunk == Index3(z: 0, y: 0, x: 1) && missing.file == "labels.zarr/0/0/1")
        #expect(missing.description == "labels.zarr/0/0/1 (slices 0–63, rows 0–63, columns 64–79) is missing: its labels are not used (`trowel labels check --rebuild` rebuilds it where the stroke log holds it)")
        let corrupt = try #require(store.damage.first { $0.kind != .missing })
        #expect(corrupt.description.hasPrefix("labels.zarr/1/0/0 (slices 64–69, rows 0–63, columns 0–63) cannot be read ("), "\(corrupt)")
        #expect(try LabelStore.missingChunks(in: project).map(\.chunk) == [Index3(z: 0, y: 0, x: 1)])
        // The slice across the corrupt chunk still reads (its voxels as unlabelled), and a session opens.
        #expect(try store.slice(axis: .y, at: 10).elements.filter { $0 != 0 }.count > 0)
        #expect(try store.slice(axis: .z, at: 66).elements.allSatisfy { $0 == 0 })
        _ = try AnnotationSession(project: project, author: "tester")

        // Set aside: the corrupt file is kept in .damaged/, the missing one forgotten; then all is well.
        let writable = try LabelStore(project: project, shape: shape, author: "t", writable: true)
        let done = try writable.setAsideDamage()
        #expect(done.count == 2)
        #expect(try FileManager.default.contentsOfDirectory(atPath: labels.appendingPathComponent(".damaged").path).count == 1)
        #expect(try LabelStore(project: project, shape: shape, author: "t", writable: false).damage.isEmpty)
        #expect(try LabelStore.missingChunks(in: project).isEmpty)
    }
}
