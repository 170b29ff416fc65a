import Foundation
import Testing
import TrowelML
import TrowelVolume
@testable import TrowelEngine

/// `trowel train --auto`'s choice, on a scan built so the answer is known: bone is a scatter of
/// single bright voxels, so only the raw (unsmoothed) value tells each voxel's class.
@Suite(.serialized) struct RecipeSelectionTests {
    /// Bone is a scatter of single bright voxels among darker matrix; three slices are labelled.
    static func fixture() throws -> BlockProject {
        let shape = Shape(z: 20, y: 40, x: 40)
        var random = TestRandom(state: 9)
        var scan = [UInt8](repeating: 0, count: shape.voxelCount)
        var truth = [UInt8](repeating: 0, count: shape.voxelCount)
        for i in scan.indices {
            let bone = random.below(3) == 0
            truth[i] = bone ? 1 : 2
            scan[i] = UInt8((bone ? 150 : 90) + random.below(40))
        }
        var labels = [UInt8](repeating: 0, count: shape.voxelCount)
        let plane = shape.y * shape.x
        for z in [3, 10, 16] { for i in (z * plane)..<((z + 1) * plane) { labels[i] = truth[i] } }
        return try BlockProject(scan: Block(shape: shape, elements: scan), labels: Block(shape: shape, elements: labels),
                                prefix: "trowel-auto")
    }

    static let small = ForestConfiguration(treeCount: 10, maxDepth: 8)
    static let smoothed = TrainingRecipe(name: "smoothed only", sigmaMin: 1, sigmaMax: 2, includesRaw: false, forest: small)
    static let raw = TrainingRecipe(name: "with raw", sigmaMin: 1, sigmaMax: 2, includesRaw: true, forest: small)

    @Test func picksTheRecipeWithTheBetterHeldOutScoreWhateverTheOrder() throws {
        let f = try Self.fixture()
        for order in [[Self.smoothed, Self.raw], [Self.raw, Self.smoothed]] {
            let selection = try RecipeSelection.choose(project: f.project, volume: f.volume, among: order)
            #expect(selection.chosen.name == "with raw")
            let scores = Dictionary(uniqueKeysWithValues: selection.candidates.map { ($0.recipe.name, $0.score ?? -1) })
            #expect(scores["with raw"]! > 0.95, "\(scores)")
            #expect(scores["smoothed only"]! < scores["with raw"]! - 0.1, "\(scores)")
            #expect(abs(selection.margin! - (scores["with raw"]! - scores["smoothed only"]!)) < 1e-12)
            #expect(selection.candidates.allSatisfy { $0.f1ByClass.keys.sorted() == [1, 2] })
        }
    }

    @Test func recipesNormaliseFromTheScansPercentiles() throws {
        let f = try Self.fixture()
        let record = try f.project.record()
        let spec = TrainingRecipe.standard.spec(for: record)
        #expect(spec.normalization == .clippedWindow(lower: record.valueLow, upper: record.valueHigh))
        #expect(spec.includesRaw && spec.sigmas == [0.5, 1, 2, 4, 8, 16])
        #expect(TrainingRecipe.ml4paleo.spec(for: record) == FeatureSpec.basic(sigmaMin: 1, sigmaMax: 32))
        #expect(TrainingRecipe.standard.forest.classWeighting == .uniform)
    }
}

/// The viewer's background trainer compares the candidates after each run and switches to the
/// winner, so the next stroke trains the better recipe first.
@Suite(.serialized) struct BackgroundSelectionTests {
    final class Events: @unchecked Sendable {
        private let lock = NSLock()
        private var list: [TrainerEvent] = []
        func append(_ e: TrainerEvent) { lock.withLock { list.append(e) } }
        var all: [TrainerEvent] { lock.withLock { list } }
    }

    @Test func theTrainerSwitchesToTheCandidateWithTheBetterHeldOutScore() throws {
        let f = try RecipeSelectionTests.fixture()
        let events = Events()
        let done = DispatchSemaphore(value: 0)
        let trainer = Trainer(project: f.project, volume: f.volume, recipe: RecipeSelectionTests.smoothed,
                              candidates: [RecipeSelectionTests.smoothed, RecipeSelectionTests.raw]) { event in
            events.append(event)
            switch event {
            case .selected, .failed: done.signal()
            default: break
            }
        }
        trainer.request()
        #expect(done.wait(timeout: .now() + 120) == .success)
        let trained = events.all.compactMap { e -> ModelRecord? in
            if case .trained(_, let record) = e { return record }
            return nil
        }
        // The smoothed model first (unscored, then scored), then the raw one with its held-out scores.
        #expect(trained.count == 3)
        #expect(trained.first?.spec.includesRaw == false && trained.last?.spec.includesRaw == true)
        #expect(trained.last?.metrics != nil)
        #expect(trained.first?.recipe == "smoothed only" && trained.last?.recipe == "with raw")
        guard case .selected(let name, let margin)? = events.all.last else {
            Issue.record("no selection: \(events.all)")
            return
        }
        #expect(name == "with raw" && (margin ?? 0) > 0.1)
        #expect(trainer.currentRecipe.name == "with raw")
        // The saved model is the winner, with its scores.
        let latest = try ModelLibrary(project: f.project).records().last!
        #expect(latest.spec.includesRaw && latest.metrics == trained.last?.metrics)
    }
}
