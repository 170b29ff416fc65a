import Foundation
import Testing
import TrowelML
import TrowelVolume
@testable import TrowelEngine

/// Decision weights tuned on held-out predictions: found where the forest under-calls a rare
/// class, refused where the folds disagree (cross-fitting), and carried by the model file.
@Suite struct DecisionTuningTests {
    /// A fold of `n` voxels, a `rare` share of class 1, whose class-1 probability is drawn from
    /// `hit` for class-1 voxels and from `miss` for class-2 voxels.
    static func fold(_ n: Int, rare: Double, hit: ClosedRange<Double>, miss: ClosedRange<Double>, seed: UInt64) -> ([UInt8], [Float]) {
        var random = TestRandom(state: seed)
        var truth: [UInt8] = [], p: [Float] = []
        for _ in 0..<n {
            let one = Double(random.below(1000)) / 1000 < rare
            let range = one ? hit : miss
            let q = range.lowerBound + (range.upperBound - range.lowerBound) * Double(random.below(1000)) / 1000
            truth.append(one ? 1 : 2)
            p += [Float(q), Float(1 - q)]
        }
        return (truth, p)
    }

    @Test func aForestThatUnderCallsARareClassGetsItsWeightRaised() throws {
        var predictions = HeldOutPredictions(classes: [2, 1])
        for s in 1...3 {
            let (t, p) = Self.fold(3000, rare: 0.1, hit: 0.2...0.7, miss: 0...0.3, seed: UInt64(s))
            predictions.add(truth: t, probabilities: p)
        }
        let tuning = try #require(DecisionTuning.tune(predictions))
        #expect(tuning.adopted)
        // The first class keeps weight 1; p₁ > 0.3 is the F1-best call, a ratio ≈ 0.7 / 0.3 ≈ 2.3.
        #expect(tuning.weights[1] == 1)
        #expect((1.6...3.4).contains(tuning.weights[1]! / tuning.weights[2]!), "\(tuning.weights)")
        #expect(tuning.tunedScore > tuning.plainScore + 0.05, "\(tuning)")
        // The plain score is the argmax's, and the tuned metrics are pooled over every voxel.
        #expect(abs(tuning.plainScore - RecipeSelection.score(predictions.metrics)!) < 1e-12)
        #expect(tuning.tunedMetrics.evaluatedVoxels == 9000)
    }

    @Test func weightsTheFoldsDisagreeOnAreNotAdopted() throws {
        // Fold 0 wants class 1 called more, fold 1 less: each fold's weights, tuned on the other,
        // do worse than the argmax, so the cross-fitted score refuses them.
        var predictions = HeldOutPredictions(classes: [1, 2])
        let (t0, p0) = Self.fold(3000, rare: 0.3, hit: 0.35...0.45, miss: 0...0.3, seed: 4)
        let (t1, p1) = Self.fold(3000, rare: 0.3, hit: 0.7...0.9, miss: 0.4...0.6, seed: 5)
        predictions.add(truth: t0, probabilities: p0)
        predictions.add(truth: t1, probabilities: p1)
        let tuning = try #require(DecisionTuning.tune(predictions))
        #expect(!tuning.adopted, "\(tuning)")
        #expect(tuning.tunedScore < tuning.plainScore)
    }

    @Test func separableClassesKeepTheArgmax() throws {
        var predictions = HeldOutPredictions(classes: [1, 2])
        for s in 1...2 {
            let (t, p) = Self.fold(1000, rare: 0.5, hit: 0.9...1, miss: 0...0.1, seed: UInt64(s))
            predictions.add(truth: t, probabilities: p)
        }
        let tuning = try #require(DecisionTuning.tune(predictions))
        #expect(!tuning.adopted)
        #expect(tuning.weights == [1: 1, 2: 1])
    }

    @Test func oneFoldCannotBeChecked() {
        var predictions = HeldOutPredictions(classes: [1, 2])
        let (t, p) = Self.fold(100, rare: 0.2, hit: 0.2...0.7, miss: 0...0.3, seed: 1)
        predictions.add(truth: t, probabilities: p)
        #expect(DecisionTuning.tune(predictions) == nil)
    }

    @Test func threeClassesAreTunedByCoordinateAscent() throws {
        // Class 3 is under-called: its voxels' probability mass sits at 0.35 against 0.45 for class 1.
        var predictions = HeldOutPredictions(classes: [1, 2, 3])
        var random = TestRandom(state: 11)
        for _ in 0..<3 {
            var truth: [UInt8] = [], p: [Float] = []
            for _ in 0..<2000 {
                let c = random.below(3)
                let jitter = Float(random.below(100)) / 1000
                switch c {
                case 0: truth.append(1); p += [0.8 - jitter, 0.1, 0.1 + jitter]
                case 1: truth.append(2); p += [0.1, 0.8 - jitter, 0.1 + jitter]
                default: truth.append(3); p += [0.45, 0.2 + jitter, 0.35 - jitter]
                }
            }
            predictions.add(truth: truth, probabilities: p)
        }
        let tuning = try #require(DecisionTuning.tune(predictions))
        #expect(tuning.adopted)
        #expect(tuning.weights[3]! > 1.3, "\(tuning.weights)")
        #expect(tuning.tunedScore > 0.95)
    }

    @Test func aTunedRunSavesAForestThatDecidesWithTheWeights() throws {
        let f = try RecipeSelectionTests.fixture()
        var run = try TrainingRun(project: f.project, volume: f.volume, recipe: RecipeSelectionTests.smoothed)
        run.tunesDecision = true
        let (forest, record) = try run.run()
        let decision = try #require(record.decision)
        #expect(forest.decisionWeights == (decision.adopted ? decision.weights(for: forest.classes) : nil))
        if decision.adopted { #expect(record.metrics == decision.tunedMetrics) }
        // The record round-trips through JSON, and the saved forest carries the weights.
        let library = ModelLibrary(project: f.project)
        let (loadedForest, loadedRecord) = try library.load(record.id)
        #expect(loadedRecord.decision == decision)
        #expect(loadedForest.decisionWeights == forest.decisionWeights)
        var plain = try TrainingRun(project: f.project, volume: f.volume, recipe: RecipeSelectionTests.smoothed)
        plain.tunesDecision = false
        #expect(try plain.run().1.decision == nil)
    }
}
