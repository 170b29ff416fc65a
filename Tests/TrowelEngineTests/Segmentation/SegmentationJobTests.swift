import Foundation
import Testing
import TrowelML
import TrowelVolume
@testable import TrowelEngine

/// Whole-volume segmentation on a 48×40×40 phantom in 16³ blocks (27 blocks), with a small model.
@Suite(.serialized) struct SegmentationJobTests {
    /// A project with a 3-level scan pyramid and a model trained on sparse truth.
    final class Fixture: Sendable {
        let parent = FileManager.default.temporaryDirectory.appendingPathComponent("trowel-seg-\(UUID().uuidString)")
        let project: Project
        let volume: MultiscaleVolume
        let forest: RandomForest
        let id: String

        init() throws {
            let phantom = try FossilPhantom(size: 40, slices: 48)
            try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
            var options = VolumeImporter.Options()
            options.chunk = 16
            options.pyramidMinimumSide = 16
            project = try ProjectBuilder(importOptions: options).build(from: phantom, at: parent.appendingPathComponent("p.trowel")).0
            try LabelImport(project: project).run(from: SparseTruth(phantom: phantom, slices: [6, 24, 40]), file: "sparse", mapping: .classIDs)
            volume = try MultiscaleVolume.open(at: project.volumeURL)
            var run = TrainingRun(project: project, volume: volume, spec: FeatureSpec.basic(sigmaMin: 1, sigmaMax: 2),
                                  configuration: ForestConfiguration(treeCount: 8, maxDepth: 8))
            run.crossValidates = false
            let (forest, record) = try run.run()
            self.forest = forest
            id = record.id
        }

        deinit { try? FileManager.default.removeItem(at: parent) }

        func job(_ configure: (inout SegmentationJob.Options) -> Void = { _ in }) -> SegmentationJob {
            var options = SegmentationJob.Options()
            options.blockSide = 16
            options.workers = 2
            configure(&options)
            return SegmentationJob(projectURL: project.url, id: id, forest: forest, volume: volume, options: options)
        }

        var store: SegmentationStore { SegmentationStore(projectURL: project.url, id: id) }

        func labels() throws -> Block<UInt8> {
            try ZarrArray.open(at: store.levelZeroURL).read(volume.shape.box, as: UInt8.self)
        }

        func reset() { try? FileManager.default.removeItem(at: store.folder) }

        /// The whole volume predicted in one box.
        func whole() throws -> ClassProbabilities { try Predictor(forest: forest, volume: volume).predict(volume.shape.box) }
    }

    @Test func blockwiseEqualsWholeVolumeWithProbabilities() throws {
        let f = try Fixture()
        let whole = try f.whole()
        let result = try f.job { $0.probabilities = true }.run()
        #expect(result.blocksTotal == 27 && result.blocksComputed == 27 && result.complete)
        #expect(try f.labels().elements == whole.labels.elements)
        #expect(Set(whole.labels.elements).isSuperset(of: [1, 2]))
        for (k, c) in f.forest.classes.enumerated() {
            let stored = try ZarrArray.open(at: f.store.probabilityURL(classID: c.id)).read(f.volume.shape.box, as: UInt8.self)
            let expected = whole.probability(ofClass: k).elements.map { UInt8(clamping: Int(($0 * 255).rounded())) }
            #expect(stored.elements == expected)
        }
    }

    @Test func aTightBudgetPredictsThinnerSlabsWithTheSameResult() throws {
        let f = try Fixture()
        let grid = try BlockGrid(shape: f.volume.shape, side: 16)
        let slab = SegmentationBudget.bytes(slices: 3, grid: grid, spec: f.forest.spec, classes: 2, probabilities: false)
        let memory = ByteCount(SegmentationBudget.processOverhead + f.volume.cache.byteBudget + slab)
        let job = f.job { $0.memory = memory }
        let budget = try job.budget()
        #expect(budget.concurrency == 1 && budget.slabDepth == 3)
        _ = try job.run()
        #expect(try f.labels().elements == f.whole().labels.elements)

        let tooSmall = f.job { $0.memory = ByteCount(SegmentationBudget.processOverhead) }
        #expect(throws: SegmentationError.self) { try tooSmall.budget() }
    }

    @Test func resumesWhereItStoppedWithoutRedoingBlocks() throws {
        let f = try Fixture()
        let reference = try f.job().run()
        #expect(reference.complete)
        let expected = try f.labels()
        f.reset()

        let finished = SegmentationTally(0)
        let stopped = try f.job { $0.workers = 1 }.run(progress: { p in finished.withLock { $0 = p.blocksDone } },
                                                        isCancelled: { finished.withLock { $0 >= 5 } })
        #expect(stopped.cancelled && !stopped.complete)
        #expect(stopped.blocksComputed == 5)
        #expect(f.store.doneCount(of: 27) == 5)
        #expect(!f.store.isComplete)

        let resumed = try f.job().run()
        #expect(resumed.blocksAlreadyDone == 5 && resumed.blocksComputed == 22 && resumed.complete)
        #expect(try f.labels().elements == expected.elements)

        let again = try f.job().run()
        #expect(again.blocksComputed == 0 && again.complete)

        let other = f.job { $0.blockSide = 32 }
        #expect(throws: SegmentationError.self) { try other.run() }

        // A block side below the bound is refused before anything is computed, saying why.
        for side in [1, 15, 4097] {
            #expect(throws: SegmentationError.blockSideOutOfRange(side)) { try f.job { $0.blockSide = side }.run() }
        }
    }

    @Test func concurrentShardsEqualOneProcessAndBuildThePyramidOnce() throws {
        let f = try Fixture()
        let expected = try f.whole().labels
        let results = SegmentationTally<[Int: SegmentationJob.Result]>([:])
        let failures = SegmentationTally<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 3) { k in
            do {
                let r = try f.job { $0.shard = try! Shard(index: k, count: 3); $0.workers = 1 }.run()
                results.withLock { $0[k] = r }
            } catch {
                failures.withLock { $0.append("\(error)") }
            }
        }
        #expect(failures.withLock { $0 }.isEmpty)
        let all = results.withLock { $0 }
        #expect(all.values.map(\.blocksInShard).sorted() == [9, 9, 9])
        #expect(all.values.reduce(0) { $0 + $1.blocksComputed } == 27)
        #expect(all.values.contains { $0.complete })
        #expect(f.store.isComplete)
        #expect(try f.labels().elements == expected.elements)

        // The pyramid matches the scan's levels and is the majority vote of the level below.
        let segmentation = try MultiscaleVolume.open(at: f.store.url)
        #expect(segmentation.levels.map(\.shape) == f.volume.levels.map(\.shape))
        #expect(segmentation.levels.count == 3)
        let level1 = try segmentation.read(segmentation.levels[1].shape.box, level: 1).converted(to: UInt8.self)
        #expect(level1.elements == LabelDownsampler.halve(expected).elements)
    }

    /// Two unsharded runs of one model at once computed most blocks twice; now a block another run
    /// is computing is left to it and joined, so together they compute each block once.
    @Test func twoRunsOfOneModelAtOnceComputeEachBlockOnce() throws {
        let f = try Fixture()
        let expected = try f.whole().labels
        let results = SegmentationTally<[SegmentationJob.Result]>([])
        let failures = SegmentationTally<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 2) { _ in
            do {
                let r = try f.job { $0.workers = 1 }.run()
                results.withLock { $0.append(r) }
            } catch {
                failures.withLock { $0.append("\(error)") }
            }
        }
        #expect(failures.withLock { $0 }.isEmpty)
        let both = results.withLock { $0 }
        #expect(both.count == 2)
        #expect(both.reduce(0) { $0 + $1.blocksComputed } == 27, "\(both.map { ($0.blocksComputed, $0.blocksJoined, $0.blocksAlreadyDone) })")
        for r in both { #expect(r.blocksComputed + r.blocksJoined + r.blocksAlreadyDone == 27) }
        #expect(both.allSatisfy { $0.complete })
        #expect(try f.labels().elements == expected.elements)
    }

    @Test func exportWritesRawAndRefusesUnfinished() throws {
        let f = try Fixture()
        let out = f.parent.appendingPathComponent("export")
        #expect(throws: SegmentationError.self) { try SegmentationExport(store: f.store, format: .raw).run(into: out) }
        _ = try f.job { $0.shard = try! Shard(index: 0, count: 2) }.run()
        #expect(throws: SegmentationError.unfinished(f.id, done: 14, total: 27)) {
            try SegmentationExport(store: f.store, format: .raw).run(into: out)
        }
        _ = try f.job { $0.shard = try! Shard(index: 1, count: 2) }.run()
        let files = try SegmentationExport(store: f.store, format: .raw).run(into: out)
        #expect(try Data(contentsOf: files[0]) == Data(f.labels().elements))
        let zarr = try SegmentationExport(store: f.store, format: .zarr).run(into: out)
        #expect(try ZarrArray.open(at: zarr[0]).read(f.volume.shape.box, as: UInt8.self).elements == f.labels().elements)
    }
}
