import Foundation
import GRDB
import Testing
import TrowelVolume
@testable import TrowelEngine

/// Issue 11: a lost or corrupt labels chunk is rebuilt from the stroke log (painted, undone and
/// imported labels alike), and one whose labels predate the log is reported, never zeroed.
@Suite(.serialized) struct LabelRebuildTests {
    let parent = FileManager.default.temporaryDirectory.appendingPathComponent("trowel-rebuild-\(UUID().uuidString)")

    /// An 8 × 80 × 80 project: labels in 8 × 64 × 64 chunks, four of them (0/0/0 … 0/1/1).
    func makeProject() throws -> Project { try PhantomProject.make(in: parent, size: 80, slices: 8) }

    func store(_ project: Project, _ author: String) throws -> LabelStore { try PhantomProject.store(project, author) }

    func paint(_ s: LabelStore, _ row: Int, _ column: Int, value: UInt8, radius: Int = 3, slice: Int = 5) throws {
        try s.paint([PaintDab(axis: .z, slice: slice, row: row, column: column, radius: radius, value: value)], newStroke: true) { _ in
            Block(shape: Shape(z: 1, y: 1, x: 1), repeating: 0)
        }
        try s.endStroke()
    }

    /// Every label, z, y, x order.
    func labels(_ project: Project) throws -> [UInt8] {
        let array = try ZarrArray.open(at: project.url.appendingPathComponent("labels.zarr"))
        return try array.read(array.shape.box, as: UInt8.self).elements
    }

    /// The label of voxel (z, y, x) in `all` (80 × 80 slices).
    func at(_ all: [UInt8], _ z: Int, _ y: Int, _ x: Int) -> UInt8 { all[(z * 80 + y) * 80 + x] }

    func chunkFile(_ project: Project, _ name: String = "0/0/0") -> URL {
        project.url.appendingPathComponent("labels.zarr/" + name)
    }

    /// Alice and bob paint in chunk 0/0/0 (bob over alice), alice in 0/1/1 too.
    func paintSome(_ project: Project) throws {
        let alice = try store(project, "alice"), bob = try store(project, "bob")
        try paint(alice, 10, 10, value: 1)
        try paint(bob, 10, 13, value: 2)
        try paint(alice, 70, 70, value: 2, slice: 3)
    }

    @Test func aDeletedChunkIsRebuiltFromTheLog() throws {
        defer { try? FileManager.default.removeItem(at: parent) }
        let project = try makeProject()
        try paintSome(project)
        let before = try labels(project)
        try FileManager.default.removeItem(at: chunkFile(project))
        let s = try store(project, "carol")
        #expect(s.damage.map(\.kind) == [.missing])
        let report = try LabelRebuild.run(on: s)
        #expect(report.notRebuildable.isEmpty)
        let chunk = try #require(report.rebuilt.first)
        #expect(report.rebuilt.count == 1 && chunk.file == "labels.zarr/0/0/0" && chunk.state == .missing)
        #expect(chunk.slices == "5" && chunk.voxels > 0 && chunk.description.contains("slices 0–7, rows 0–63, columns 0–63"))
        #expect(try labels(project) == before)
        #expect(try StrokeLog(project: project).mismatches().isEmpty)
        #expect(try store(project, "dave").damage.isEmpty && s.counts == (try store(project, "dave")).counts)
        // Healthy labels: nothing to do.
        #expect(try LabelRebuild.run(on: s) == LabelRebuild())
    }

    @Test func aCorruptChunkIsKeptAsideAndRebuilt() throws {
        defer { try? FileManager.default.removeItem(at: parent) }
        let project = try makeProject()
        try paintSome(project)
        let before = try labels(project)
        try Data("garbage, not a zstd frame".utf8).write(to: chunkFile(project, "0/1/1"))
        let s = try store(project, "carol")
        #expect(s.damage.count == 1 && s.damage[0].kind != .missing)
        let report = try LabelRebuild.run(on: s)
        let chunk = try #require(report.rebuilt.first)
        #expect(report.rebuilt.count == 1 && chunk.state == .unreadable && chunk.slices == "3")
        let moved = try #require(chunk.movedTo)
        #expect(try String(contentsOf: project.url.appendingPathComponent(moved), encoding: .utf8) == "garbage, not a zstd frame")
        #expect(try labels(project) == before)
    }

    @Test func undoneStrokesStayUndoneInTheRebuiltChunk() throws {
        defer { try? FileManager.default.removeItem(at: parent) }
        let project = try makeProject()
        let alice = try store(project, "alice"), bob = try store(project, "bob"), carol = try store(project, "carol")
        try paint(carol, 10, 16, value: 2)
        try paint(alice, 10, 10, value: 1)
        try paint(bob, 10, 13, value: 1, radius: 2)
        #expect(try alice.undo())
        #expect(try bob.undo())
        try paint(alice, 30, 30, value: 2)
        #expect(try alice.undo())
        #expect(try alice.redo())
        try paint(carol, 40, 40, value: 1)
        #expect(try carol.undo())
        let before = try labels(project)
        #expect(at(before, 5, 10, 12) == 0 && at(before, 5, 10, 14) == 2 && at(before, 5, 30, 30) == 2 && at(before, 5, 40, 40) == 0)
        try FileManager.default.removeItem(at: chunkFile(project))
        let report = try LabelRebuild.run(on: try store(project, "dave"))
        #expect(report.rebuilt.map(\.file) == ["labels.zarr/0/0/0"])
        #expect(try labels(project) == before)
        #expect(try StrokeLog(project: project).mismatches().isEmpty)
    }

    @Test func importedLabelsAreLoggedAndRebuilt() throws {
        defer { try? FileManager.default.removeItem(at: parent) }
        let project = try makeProject()
        let shape = try project.record().shape
        try paint(try store(project, "alice"), 10, 10, value: 1)
        var imported = Block<UInt8>(shape: shape, repeating: 0)
        for y in 0..<shape.y { for x in 0..<20 { imported[2, y, x] = 2 } }
        imported[5, 10, 10] = 2
        try LabelImport(project: project, author: "erin").run(from: AnnotationTests.LabelSource(block: imported), file: "m.tif", mapping: .classIDs)
        // One stroke by the importer, its voxels in the log.
        let strokes = try StrokeLog(project: project).entries()
        #expect(strokes.last?.author == "erin" && strokes.last?.undone == false)
        #expect(strokes.last?.kind == .import && strokes.last?.what == "import" && strokes.first?.kind == .paint)
        let edits = try StrokeLog(project: project).edits().filter { $0.kind == .import }
        #expect(edits.count == 2 && edits.reduce(0) { $0 + $1.voxels.count } == 80 * 20 + 1)
        try paint(try store(project, "bob"), 12, 12, value: 1, radius: 1)
        let before = try labels(project)
        #expect(at(before, 2, 70, 5) == 2 && at(before, 5, 10, 10) == 2)
        for name in ["0/0/0", "0/1/0"] { try FileManager.default.removeItem(at: chunkFile(project, name)) }
        var report = try LabelRebuild.run(on: try store(project, "dave"))
        #expect(report.rebuilt.map(\.file) == ["labels.zarr/0/0/0", "labels.zarr/0/1/0"] && report.notRebuildable.isEmpty)
        #expect(try labels(project) == before)
        // Undoing the import is logged too: the rebuild of a chunk lost afterwards honours it.
        _ = try LabelImport(project: project, author: "erin").undoLast()
        let undone = try labels(project)
        #expect(at(undone, 2, 70, 5) == 0 && at(undone, 5, 10, 10) == 1 && at(undone, 5, 12, 12) == 1)
        try FileManager.default.removeItem(at: chunkFile(project, "0/1/0"))
        report = try LabelRebuild.run(on: try store(project, "dave"))
        #expect(report.rebuilt.map(\.file) == ["labels.zarr/0/1/0"])
        #expect(try labels(project) == undone)
        #expect(try StrokeLog(project: project).mismatches().isEmpty)
    }

    @Test func chunksWhoseLabelsPredateTheLogAreReportedNotZeroed() throws {
        defer { try? FileManager.default.removeItem(at: parent) }
        let project = try makeProject()
        try paintSome(project)
        // As a project from before the log held chunks whole: no chunk is known to be whole.
        try project.database.write { db in try db.execute(sql: "DELETE FROM label_chunk") }
        try FileManager.default.removeItem(at: chunkFile(project))
        try Data("garbage".utf8).write(to: chunkFile(project, "0/1/1"))
        let report = try LabelRebuild.run(on: try store(project, "carol"))
        #expect(report.rebuilt.isEmpty)
        #expect(report.notRebuildable.map(\.file) == ["labels.zarr/0/0/0", "labels.zarr/0/1/1"])
        #expect(report.notRebuildable.allSatisfy { $0.why == LabelRebuild.predatesLog && $0.description.contains("not rebuilt") })
        #expect(!FileManager.default.fileExists(atPath: chunkFile(project).path), "a lost chunk of unknown labels is not written as zeros")
        #expect(try String(contentsOf: chunkFile(project, "0/1/1"), encoding: .utf8) == "garbage")
    }

    @Test func aChunkDisagreeingWithTheLogIsRewrittenWhereItDisagrees() throws {
        defer { try? FileManager.default.removeItem(at: parent) }
        let project = try makeProject()
        try paintSome(project)
        let before = try labels(project)
        let array = try ZarrArray.open(at: project.url.appendingPathComponent("labels.zarr"))
        try array.write(Block(shape: Shape(z: 1, y: 1, x: 1), elements: [0]), at: Index3(z: 5, y: 10, x: 9))     // alice painted it
        try array.write(Block(shape: Shape(z: 1, y: 1, x: 1), elements: [1]), at: Index3(z: 5, y: 50, x: 50))    // nobody did
        #expect(try !StrokeLog(project: project).mismatches().isEmpty)
        let report = try LabelRebuild.run(on: try store(project, "carol"))
        #expect(report.rebuilt.count == 1 && report.rebuilt[0].state == .disagreeing && report.rebuilt[0].voxels == 2)
        #expect(report.rebuilt[0].slices == "5")
        #expect(try labels(project) == before)
    }

    @Test func trainingOnACorruptOrLostChunkSaysWhichAndHowToRebuild() throws {
        defer { try? FileManager.default.removeItem(at: parent) }
        let project = try makeProject()
        try paintSome(project)
        let shape = try project.record().shape
        try Data("garbage".utf8).write(to: chunkFile(project))
        for damage in ["cannot be read", "is missing"] {
            if damage == "is missing" { try FileManager.default.removeItem(at: chunkFile(project)) }
            let error = #expect(throws: LearningError.self) { try LabelledSet.gather(from: project, shape: shape) }
            let text = "\(error.map { "\($0)" } ?? "")"
            #expect(text.contains("labels.zarr/0/0/0 (slices 0–7, rows 0–63, columns 0–63) \(damage)"), "\(text)")
            #expect(text.contains("trowel labels check \(project.url.path) --rebuild") && !text.contains("\n"), "\(text)")
        }
    }
}
