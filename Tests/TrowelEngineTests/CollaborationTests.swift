import Foundation
import GRDB
import Testing
import TrowelVolume
@testable import TrowelEngine

/// Issue 14, items 1 and 3 in one process: several `LabelStore`s (each its own lock file
/// description, as separate processes have) painting one project.
@Suite(.serialized) struct CollaborationTests {
    let parent = FileManager.default.temporaryDirectory.appendingPathComponent("trowel-collab-\(UUID().uuidString)")

    func makeProject() throws -> Project { try PhantomProject.make(in: parent) }

    func store(_ project: Project, _ author: String) throws -> LabelStore { try PhantomProject.store(project, author) }

    func dab(_ row: Int, _ column: Int, value: UInt8, radius: Int = 3, slice: Int = 5) -> PaintDab {
        PaintDab(axis: .z, slice: slice, row: row, column: column, radius: radius, value: value)
    }

    func paint(_ s: LabelStore, _ dabs: [PaintDab]) throws {
        try s.paint(dabs, newStroke: true) { _ in Block(shape: Shape(z: 1, y: 1, x: 1), repeating: 0) }
        try s.endStroke()
    }

    func label(_ project: Project, _ v: Index3) throws -> UInt8 {
        try ZarrArray.open(at: project.url.appendingPathComponent("labels.zarr")).read(Box(origin: v, shape: Shape(z: 1, y: 1, x: 1)), as: UInt8.self)[0, 0, 0]
    }

    @Test func fourThreadsPaintingOneChunkLoseNothingAndTheLogReplaysToTheLabels() throws {
        defer { try? FileManager.default.removeItem(at: parent) }
        let project = try makeProject()
        nonisolated(unsafe) let stores = try (0..<4).map { try store(project, "painter\($0)") }
        nonisolated(unsafe) var failures: [String] = []
        let lock = NSLock()
        DispatchQueue.concurrentPerform(iterations: 4) { n in
            do {
                // Every painter crosses the same 16³ chunk (rows and columns 0…15) again and again.
                for i in 0..<30 { try paint(stores[n], [dab(2 + (i * 3 + n) % 12, 2 + (i * 5 + n * 3) % 12, value: UInt8(1 + n % 2))]) }
            } catch {
                lock.lock()
                failures.append("\(error)")
                lock.unlock()
            }
        }
        #expect(failures.isEmpty, "\(failures)")
        #expect(try StrokeLog(project: project).mismatches().isEmpty)
        let edits = try project.database.read { db in try StrokeEdit.fetchAll(db, where: "1") }
        #expect(edits.count == 120 && edits.allSatisfy { $0.committed })
        #expect(Set(edits.map(\.session)).count == 4)
        // The last edit of every voxel holds, and each painter's counts match the disk once refreshed.
        let fresh = try store(project, "reader")
        for s in stores { try s.refresh() }
        #expect(stores.allSatisfy { $0.counts == fresh.counts })
    }

    @Test func undoTakesBackOnlyThisSessionsVoxels() throws {
        defer { try? FileManager.default.removeItem(at: parent) }
        let project = try makeProject()
        let alice = try store(project, "alice"), bob = try store(project, "bob")
        try paint(alice, [dab(10, 10, value: 1)])
        try paint(bob, [dab(10, 13, value: 2)])            // overlaps alice's disc
        #expect(try label(project, Index3(z: 5, y: 10, x: 12)) == 2)
        #expect(try alice.undo())
        // Bob's voxels stay, alice's others are gone.
        #expect(try label(project, Index3(z: 5, y: 10, x: 12)) == 2)
        #expect(try label(project, Index3(z: 5, y: 10, x: 8)) == 0)
        #expect(try alice.redo())
        #expect(try label(project, Index3(z: 5, y: 10, x: 8)) == 1)
        #expect(try label(project, Index3(z: 5, y: 10, x: 12)) == 2, "redo never paints over bob either")
        #expect(!(try bob.redo()))
        #expect(try StrokeLog(project: project).mismatches().isEmpty)
        // Each sees the other: owners and counts after a refresh.
        let seen = try bob.refresh()
        #expect(!seen.isEmpty && bob.author(at: Index3(z: 5, y: 10, x: 8)) == "alice")
        #expect(bob.otherAuthors(axis: .z, at: 5)?.authors == ["alice"])
        #expect(bob.counts == (try store(project, "carol")).counts)
        #expect(Set(bob.countsByAuthor.keys) == ["alice", "bob"])
    }

    @Test func undoingOverAnUndoneStrokeRestoresWhatStillStands() throws {
        defer { try? FileManager.default.removeItem(at: parent) }
        let project = try makeProject()
        let alice = try store(project, "alice"), bob = try store(project, "bob"), carol = try store(project, "carol")
        let shared = Index3(z: 5, y: 10, x: 12)
        try paint(carol, [dab(10, 16, value: 2)])           // carol's matrix under both
        try paint(alice, [dab(10, 10, value: 1)])
        try paint(bob, [dab(10, 13, value: 1, radius: 2)])   // over alice's disc and carol's
        #expect(try alice.undo())                            // bob's voxels stay
        #expect(try label(project, shared) == 1)
        #expect(try bob.undo())
        // Alice's stroke is undone, so where bob painted over it the voxel is unlabelled again,
        // and where bob painted over carol's (still standing) it is carol's again.
        #expect(try label(project, shared) == 0)
        #expect(try label(project, Index3(z: 5, y: 10, x: 14)) == 2)
        #expect(try StrokeLog(project: project).mismatches().isEmpty)
        // Redo brings bob's back, and alice's redo fills only what nobody painted since.
        #expect(try bob.redo())
        #expect(try label(project, shared) == 1)
    }

    /// A stroke that covered a voxel in two of its batches, with another session's edit in between,
    /// gives it back what stood before its last write there (the other session's label), not what
    /// stood before its first (as MultiWriterTests caught: three voxels went back too far).
    @Test func undoingAStrokeThatCoveredAVoxelTwiceRestoresWhatStoodBeforeItsLastWrite() throws {
        defer { try? FileManager.default.removeItem(at: parent) }
        let project = try makeProject()
        let alice = try store(project, "alice"), bob = try store(project, "bob"), carol = try store(project, "carol")
        let v = Index3(z: 5, y: 10, x: 10), edge = Index3(z: 5, y: 10, x: 7)
        let none: (Box) throws -> Block<Float> = { _ in Block(shape: Shape(z: 1, y: 1, x: 1), repeating: 0) }
        try paint(carol, [dab(10, 10, value: 2)])
        try bob.paint([dab(10, 10, value: 1)], newStroke: true, values: none)
        try paint(alice, [dab(10, 10, value: 0, radius: 1)])    // erases the middle of bob's first batch
        try bob.paint([dab(10, 10, value: 1)], newStroke: false, values: none)
        try bob.endStroke()
        #expect(try label(project, v) == 1)
        #expect(try bob.undo())
        #expect(try label(project, v) == 0, "alice's erasing stands")
        #expect(try label(project, edge) == 2, "carol's label stands where alice did not erase")
        #expect(try StrokeLog(project: project).mismatches().isEmpty)
        #expect(try bob.redo())
        #expect(try label(project, v) == 1 && label(project, edge) == 1)
    }

    /// `trowel labels undo` follows the same rule as a stroke's undo: alice paints, an import
    /// covers her voxel, alice undoes (the import's label stays), the import is undone: the voxel is
    /// unlabelled again, not alice's undone label.
    @Test func undoingAnImportOverAnUndoneStrokeRestoresWhatStillStands() throws {
        defer { try? FileManager.default.removeItem(at: parent) }
        let project = try makeProject()
        let shape = try project.record().shape
        let alice = try store(project, "alice"), carol = try store(project, "carol")
        let v = Index3(z: 5, y: 10, x: 10), carols = Index3(z: 5, y: 10, x: 30)
        try paint(carol, [dab(10, 30, value: 1)])
        try paint(alice, [dab(10, 10, value: 1)])
        var imported = Block<UInt8>(shape: shape, repeating: 0)
        for y in 0..<shape.y { for x in 0..<shape.x { imported[5, y, x] = 2 } }
        _ = try LabelImport(project: project, author: "importer").run(from: AnnotationTests.LabelSource(block: imported),
                                                                      file: "matrix.tif", mapping: .classIDs)
        #expect(try label(project, v) == 2)
        #expect(try alice.undo())
        #expect(try label(project, v) == 2, "the import wrote the voxel after alice")
        _ = try #require(try LabelImport(project: project).undoLast())
        #expect(try label(project, v) == 0, "alice's stroke is undone, so nothing stands under the import")
        #expect(try label(project, carols) == 1, "carol's stroke stands under the import")
        #expect(try label(project, Index3(z: 5, y: 30, x: 30)) == 0)
        #expect(try StrokeLog(project: project).mismatches().isEmpty)
    }

    @Test func anImportRunsBesidePaintersAndNeitherLosesVoxels() throws {
        defer { try? FileManager.default.removeItem(at: parent) }
        let project = try makeProject()
        let shape = try project.record().shape
        nonisolated(unsafe) let painter = try store(project, "alice")
        // Matrix everywhere on slices 4…6, imported while alice paints bone on slice 5.
        var imported = Block<UInt8>(shape: shape, repeating: 0)
        for z in 4...6 { for y in 0..<shape.y { for x in 0..<shape.x { imported[z, y, x] = 2 } } }
        let source = AnnotationTests.LabelSource(block: imported)
        nonisolated(unsafe) var failure: Error?
        let url = project.url
        DispatchQueue.concurrentPerform(iterations: 2) { n in
            do {
                if n == 0 {
                    try LabelImport(project: try Project.open(at: url), author: "import").run(from: source, file: "m.tif", mapping: .classIDs)
                } else {
                    for i in 0..<20 { try paint(painter, [dab(4 + i, 4 + i, value: 1, radius: 1)]) }
                }
            } catch {
                failure = error
            }
        }
        #expect(failure == nil, "\(String(describing: failure))")
        // Every voxel holds the value of its last write, whichever writer it was.
        let edits = try StrokeLog(project: project).edits()
        #expect(edits.contains { $0.kind == .import } && edits.filter { $0.kind == .paint }.count == 20)
        #expect(try StrokeLog(project: project).mismatches().isEmpty)
        let labels = try ZarrArray.open(at: project.url.appendingPathComponent("labels.zarr")).read(shape.box, as: UInt8.self)
        let importIDs = edits.filter { $0.kind == .import }.map(\.id)
        var lastPaint: [Int64: Int64] = [:]
        for e in edits where e.kind == .paint { for r in e.voxels { lastPaint[r.index] = e.id } }
        for (i, id) in lastPaint {
            let v = shape.voxel(i)
            // Bone painted after the import's write of its chunk stays bone; before it, the import's matrix wins.
            let importedLater = edits.contains { $0.kind == .import && $0.id > id && $0.box.contains(v) }
            #expect(labels[v.z, v.y, v.x] == (importedLater ? 2 : 1))
        }
        #expect(!importIDs.isEmpty)
        #expect(labels[6, 39, 0] == 2, "the import's voxels away from the strokes are there")
    }

    @Test func anEditLoggedButNeverWrittenIsFinishedByTheNextWriter() throws {
        defer { try? FileManager.default.removeItem(at: parent) }
        let project = try makeProject()
        let alice = try store(project, "alice")
        try paint(alice, [dab(20, 20, value: 1)])
        // What a writer killed between logging and writing leaves: an uncommitted edit.
        let shape = try project.record().shape
        let voxels = (0..<5).map { VoxelRecord(index: shape.linear(Index3(z: 6, y: 3, x: 3 + $0)), old: 0, new: 2) }
        try project.database.write { db in
            try db.execute(sql: """
                INSERT INTO stroke_edit (stroke_id, session, author, created_at, kind, value, z0, y0, x0, z1, y1, x1, voxels, committed, changes)
                VALUES (999, 'dead', 'bob', ?, 'paint', 2, 6, 3, 3, 7, 4, 8, 5, 0, ?)
                """, arguments: [Date(), VoxelRecord.encode(voxels)])
        }
        #expect(try label(project, Index3(z: 6, y: 3, x: 4)) == 0)
        _ = try store(project, "carol")
        #expect(try label(project, Index3(z: 6, y: 3, x: 4)) == 2)
        #expect(try project.database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM stroke_edit WHERE committed = 0") } == 0)
        #expect(try StrokeLog(project: project).mismatches().isEmpty)
    }

    @Test func theLogExportAndAgreementSayWhoPaintedWhat() throws {
        defer { try? FileManager.default.removeItem(at: parent) }
        let project = try makeProject()
        let alice = try store(project, "alice"), bob = try store(project, "bob")
        try paint(alice, [dab(10, 10, value: 1, radius: 0)])            // one voxel of bone
        try paint(alice, [dab(20, 20, value: 2, radius: 1)])
        try paint(bob, [dab(10, 10, value: 1, radius: 0)])              // agrees on the bone voxel
        try paint(bob, [dab(20, 20, value: 1, radius: 0)])              // disagrees at the matrix centre
        let log = StrokeLog(project: project)
        #expect(try log.entries().map(\.author) == ["alice", "alice", "bob", "bob"])
        #expect(try log.entries(author: "bob").count == 2)
        #expect(try log.entries(since: Date().addingTimeInterval(60)).isEmpty)
        #expect(try StrokeLog.parseSince("2026-12-02") < StrokeLog.parseSince("2026-12-02T00:00:01Z"))
        #expect(throws: StrokeLogError.self) { try StrokeLog.parseSince("yesterday") }
        let a = try AuthorLabels(project: project, author: "alice"), b = try AuthorLabels(project: project, author: "bob")
        #expect(a.counts == [1: 1, 2: 9] && b.counts == [1: 2])
        let agreement = AuthorAgreement(a, b, names: [1: "bone", 2: "matrix"])
        #expect(agreement.bothVoxels == 2 && agreement.agreement == 0.5)
        // Bone: alice 1, bob 2 in the common voxels, both 1 → Dice 2/3; matrix: alice 1, bob 0 → 0.
        #expect(agreement.classes.first { $0.id == 1 }?.dice.map { abs($0 - 2.0 / 3) < 1e-9 } == true)
        #expect(agreement.classes.first { $0.id == 2 }?.dice == 0)
        #expect(throws: StrokeLogError.self) { try AuthorLabels(project: project, author: "nobody") }
        let out = parent.appendingPathComponent("alice.zarr")
        try a.write(to: out, chunks: .cube(16))
        let written = try ZarrArray.open(at: out).read(Box(origin: Index3(z: 5, y: 19, x: 20), shape: Shape(z: 1, y: 3, x: 1)), as: UInt8.self)
        #expect(written.elements == [2, 2, 2])
        #expect(throws: StrokeLogError.self) { try a.write(to: out, chunks: .cube(16)) }
    }
}

/// Item 2: one training per project at a time, and one segmentation per model.
@Suite(.serialized) struct SharedTrainingTests {
    @Test func aSecondTrainerWaitsAndUsesTheFirstOnesModel() throws {
        let f = try RecipeSelectionTests.fixture()
        let a = BackgroundSelectionTests.Events(), b = BackgroundSelectionTests.Events()
        let started = DispatchSemaphore(value: 0), aDone = DispatchSemaphore(value: 0), bDone = DispatchSemaphore(value: 0)
        let recipe = RecipeSelectionTests.raw
        let first = Trainer(project: f.project, volume: f.volume, recipe: recipe, candidates: [recipe]) { event in
            a.append(event)
            if case .phase = event, a.all.count == 1 { started.signal() }
            if case .trained(_, let record) = event, record.metrics != nil { aDone.signal() }
        }
        let second = Trainer(project: try Project.open(at: f.project.url), volume: f.volume, recipe: recipe, candidates: [recipe]) { event in
            b.append(event)
            if case .trained = event { bDone.signal() }
        }
        first.request()
        #expect(started.wait(timeout: .now() + 60) == .success)
        second.request()
        #expect(aDone.wait(timeout: .now() + 120) == .success)
        #expect(bDone.wait(timeout: .now() + 60) == .success)
        let waiting = b.all.contains { if case .phase(let p, _) = $0 { return p.hasPrefix("waiting for") && p.contains("pid \(getpid())") } else { return false } }
        #expect(waiting, "the second trainer said whose training it waits for")
        let ids = { (events: [TrainerEvent]) in events.compactMap { e -> String? in if case .trained(_, let r) = e { return r.id } else { return nil } } }
        #expect(ids(b.all) == [ids(a.all).last!], "the second trainer used the first one's model instead of training again")
        #expect(try ModelLibrary(project: f.project).records().count == 1)
    }

    @Test func aSegmentationLockIsHeldOncePerModel() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("trowel-seglock-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var held: SegmentationLock? = try SegmentationLock.acquire(projectURL: folder, id: "m1", author: "alice").get()
        guard case .failure(let other) = try SegmentationLock.acquire(projectURL: folder, id: "m1", author: "bob") else {
            Issue.record("a second segmentation of m1 got the lock")
            return
        }
        #expect(other.holder.hasPrefix("alice@"))
        #expect((try? SegmentationLock.acquire(projectURL: folder, id: "m2").get()) != nil, "another model is free")
        held = nil
        _ = held
        #expect((try? SegmentationLock.acquire(projectURL: folder, id: "m1").get()) != nil, "free again once the first ends")
    }
}
