import Foundation
import Testing
import TrowelML
import TrowelVolume
@testable import TrowelEngine

/// Training autocontext cascades on a project: stage 1's probabilities that stage 2 learns from
/// come out of fold, a cascade is saved and loaded like any model, and labels that cannot be split
/// give a clear error.
@Suite(.serialized) struct AutocontextTrainingTests {
    /// A project whose scan is a noisy disc per slice (class 1 inside, 2 outside); `labels` picks
    /// which voxels are labelled and with what.
    static func fixture(shape: Shape = Shape(z: 12, y: 60, x: 60),
                        labels: (Index3, UInt8, inout TestRandom) -> UInt8) throws -> BlockProject {
        var random = TestRandom(state: 11)
        var scan = [UInt8](repeating: 0, count: shape.voxelCount)
        var painted = [UInt8](repeating: 0, count: shape.voxelCount)
        for z in 0..<shape.z { for y in 0..<shape.y { for x in 0..<shape.x {
            let i = shape.offset(z: z, y: y, x: x)
            let inside = (y - 30) * (y - 30) + (x - 28) * (x - 28) < 15 * 15
            scan[i] = UInt8((inside ? 140 : 100) + random.below(60))
            painted[i] = labels(Index3(z: z, y: y, x: x), inside ? 1 : 2, &random)
        } } }
        return try BlockProject(scan: Block(shape: shape, elements: scan), labels: Block(shape: shape, elements: painted),
                                prefix: "trowel-ac")
    }

    static let small = ForestConfiguration(treeCount: 10, maxDepth: 10)
    static let spec = FeatureSpec(sigmas: [1, 2], includesRaw: true)

    static func training(_ f: BlockProject, stages: Int = 2) -> AutocontextTraining {
        AutocontextTraining(volume: f.volume, spec: spec, configuration: small, stages: stages, sigmas: [1, 2])
    }

    static func gathered(_ f: BlockProject) throws -> (LabelledSet, [Float]) {
        let set = try LabelledSet.gather(from: f.project, shape: f.volume.shape)
        return (set, try FeatureCache(volume: f.volume, spec: spec).features(at: set.voxels))
    }

    @Test func stageOneProbabilitiesComeOutOfFold() throws {
        // One labelled slice with labels drawn at random, unrelated to the image: a forest's
        // probabilities at its own training voxels remember the labels, out-of-fold ones cannot.
        let f = try Self.fixture { v, _, random in
            guard v.z == 6 else { return 0 }
            return random.below(2) == 0 ? 1 : 2
        }
        let (set, features) = try Self.gathered(f)
        let training = Self.training(f)
        let result = try training.run(set, features: features, classes: [], trainsFinal: false)

        // The folds: strips of the one slice; no training voxel of a fold within what its voxels'
        // context reads (the smoothed probabilities' reach) in the plane.
        #expect(result.plan.count == 3)
        #expect(result.reach == FeatureSpec.kernelRadius(2) && training.gap >= result.reach)
        for fold in result.plan {
            let members = fold.members.map { set.voxels[$0] }
            #expect(!members.isEmpty && !fold.training.isEmpty)
            for t in fold.training.map({ set.voxels[$0] }) {
                let nearest = members.map { max(abs($0.y - t.y), abs($0.x - t.x)) }.min()!
                #expect(nearest > result.reach)
            }
        }

        // Out-of-fold P(class 1) tells nothing about the random labels; in-sample it does.
        func agreement(_ p: (Int) -> Float) -> Double {
            var agree = 0
            for i in set.voxels.indices where (p(i) > 0.5) == (set.labels[i] == 1) { agree += 1 }
            return Double(agree) / Double(set.count)
        }
        let w = result.contextWidth
        #expect(w == 3)
        let outOfFold = agreement { result.outOfFoldContext[$0 * w] }
        let everything = try RandomForest.train(on: TrainingSamples(featureCount: Self.spec.featureCount, features: features,
                                                                     labels: set.labels), spec: Self.spec, configuration: Self.small)
        let inSample = everything.probabilities(forRows: features, count: set.count)
        let leaky = agreement { inSample[$0 * 2] }
        #expect(outOfFold < 0.56, "out of fold \(outOfFold)")
        #expect(leaky > 0.65, "in sample \(leaky)")
    }

    @Test func aTwoStageRunSavesACascadeThatLoadsAndPredicts() throws {
        let f = try Self.fixture { v, truth, _ in [2, 6, 10].contains(v.z) && (v.x + v.y) % 3 == 0 ? truth : 0 }
        var recipe = TrainingRecipe(name: "two stages", sigmaMin: 1, sigmaMax: 2, forest: Self.small, stages: 2)
        recipe.contextSigmas = [1, 2]
        let run = try TrainingRun(project: f.project, volume: f.volume, recipe: recipe)
        #expect(run.stages == 2)
        let (forest, record) = try run.run()
        #expect(forest.stageCount == 2 && record.stages == 2 && record.recipe == "two stages")
        #expect(record.metricsByStage.count == 2 && record.metricsByStage.allSatisfy { $0 != nil })
        #expect(record.metrics == record.metricsByStage.last!)
        #expect(record.metrics!.perClass[1]!.f1 > 0.8)
        let (loaded, loadedRecord) = try ModelLibrary(project: f.project).load(record.id)
        #expect(loaded == forest && loadedRecord == record)
        let p = try Predictor(forest: loaded, volume: f.volume).predict(Box(z: 4..<5, y: 0..<60, x: 0..<60))
        #expect(p.labels[Index3(z: 0, y: 30, x: 28)] == 1 && p.labels[Index3(z: 0, y: 2, x: 2)] == 2)
        // Validation alone gives the same score as the run.
        #expect(try run.validate() == record.metrics)
    }

    @Test func labelsThatCannotBeSplitGiveAClearError() throws {
        let f = try Self.fixture { v, _, _ in
            v == Index3(z: 3, y: 5, x: 5) ? 1 : v == Index3(z: 3, y: 5, x: 6) ? 2 : 0
        }
        let (set, features) = try Self.gathered(f)
        #expect(throws: LearningError.autocontextNeedsFolds) {
            try Self.training(f).run(set, features: features, classes: [], trainsFinal: true)
        }
        #expect(LearningError.autocontextNeedsFolds.description.contains("--stages 1"))
        // As an --auto candidate it is simply not scorable.
        let cascade = TrainingRecipe(name: "cascade", sigmaMin: 1, sigmaMax: 2, forest: Self.small, stages: 2)
        let plain = TrainingRecipe(name: "plain", sigmaMin: 1, sigmaMax: 2, forest: Self.small)
        let selection = try RecipeSelection.choose(project: f.project, volume: f.volume, among: [cascade, plain])
        #expect(selection.candidates[0].score == nil)
    }
}
