import Foundation
import Testing
import TrowelML
import TrowelVolume
@testable import TrowelEngine

/// The random walker as a prior for the forest: adopted where only connectivity tells the classes
/// apart (two identical bright discs, one of them the target), refused where the forest already
/// knows (a speckle whose class is its brightness), and sampled exactly as the interpolation
/// upsamples it.
@Suite struct WalkerPriorTests {
    /// 12 slices of 40²: bright discs at (11, 11) and (28, 28), radius 7, in dark noise. `speckle`
    /// instead makes every voxel bright at random (30 %), its class its brightness.
    static func scan(speckle: Bool) -> (scan: Block<UInt8>, truth: Block<UInt8>) {
        let shape = Shape(z: 12, y: 40, x: 40)
        var scan = Block<UInt8>(shape: shape, repeating: 0), truth = Block<UInt8>(shape: shape, repeating: 2)
        var random = TestRandom(state: speckle ? 7 : 3)
        for z in 0..<shape.z {
            for y in 0..<shape.y {
                for x in 0..<shape.x {
                    let inA = (y - 11) * (y - 11) + (x - 11) * (x - 11) <= 49
                    let inB = (y - 28) * (y - 28) + (x - 28) * (x - 28) <= 49
                    let bright = speckle ? random.below(10) < 3 : (inA || inB)
                    scan[z, y, x] = UInt8((bright ? 180 : 50) + random.below(40))
                    if speckle ? bright : inA { truth[z, y, x] = 1 }
                }
            }
        }
        return (scan, truth)
    }

    /// The project with slices 1, 5 and 10 labelled from the truth, and its forest's held-out predictions.
    static func heldOut(speckle: Bool) throws -> (BlockProject, LabelledSet, HeldOutPredictions) {
        let (scan, truth) = Self.scan(speckle: speckle)
        var labels = Block<UInt8>(shape: scan.shape, repeating: 0)
        for z in [1, 5, 10] {
            for y in 0..<scan.shape.y {
                for x in 0..<scan.shape.x { labels[z, y, x] = truth[z, y, x] }
            }
        }
        let project = try BlockProject(scan: scan, labels: labels, prefix: "trowel-walker-prior")
        var recipe = TrainingRecipe.standard
        recipe.sigmaMax = 2
        recipe.forest.treeCount = 20
        let run = try TrainingRun(project: project.project, volume: project.volume, recipe: recipe)
        let held = try #require(try run.predictHeldOut())
        let set = try LabelledSet.gather(from: project.project, shape: scan.shape)
        return (project, set, held)
    }

    @Test func theWalkerIsAdoptedWhereOnlyConnectivityTellsTheClassesApart() throws {
        let (project, set, held) = try Self.heldOut(speckle: false)
        #expect(held.folds.count == 3 && held.folds.allSatisfy { $0.indices.count == $0.truth.count && !$0.members.isEmpty })
        let prior = try #require(try WalkerPrior.tune(held, volume: project.volume, record: try project.project.record(),
                                                      settings: WalkerField.Settings(downsample: 2, margin: 4)))
        #expect(prior.adopted, "\(prior)")
        #expect(prior.weight >= 0.5, "\(prior)")
        // The forest cannot tell the discs apart; the walker seeded by the other slices can.
        #expect(prior.plainScore < 0.85, "\(prior)")
        #expect(prior.tunedScore > prior.plainScore + 0.1, "\(prior)")
        #expect(prior.foldWeights.count == 3)
    }

    @Test func theWalkerIsRefusedWhereTheForestAlreadyKnows() throws {
        let (project, set, held) = try Self.heldOut(speckle: true)
        let prior = try #require(try WalkerPrior.tune(held, volume: project.volume, record: try project.project.record(),
                                                      settings: WalkerField.Settings(downsample: 2, margin: 4)))
        #expect(!prior.adopted, "\(prior)")
        #expect(prior.plainScore > 0.95, "\(prior)")
    }

    @Test func anAppliedPriorMixesOnlyInsideTheWalkersRegion() throws {
        let (project, set, _) = try Self.heldOut(speckle: false)
        let settings = WalkerField.Settings(downsample: 2, margin: 0, marginZ: 0)
        let region = try #require(WalkerPrior.region(of: set, settings: settings, shape: project.volume.shape))
        // Labels span slices 1…10 and the whole plane.
        #expect(region == Box(z: 1..<11, y: 0..<40, x: 0..<40))
        let field = try #require(try WalkerPrior.field(set, region: region, volume: project.volume,
                                                       record: try project.project.record(), settings: settings))
        let classes = [ClassInfo(id: 1, name: "a"), ClassInfo(id: 2, name: "b")]
        let box = Box(z: 0..<2, y: 0..<40, x: 0..<40)
        let even = ClassProbabilities(shape: box.shape, classes: classes, values: [Float](repeating: 0.5, count: box.shape.voxelCount * 2))
        let prior = WalkerPrior(weight: 1, settings: settings, plainScore: 0, tunedScore: 1, foldWeights: [1, 1])
        let mixed = prior.apply(to: even, box: box, field: field)
        let plane = 40 * 40
        // Slice 0 is outside the region: untouched. Slice 1 is labelled: the walker's seeds are certain.
        #expect(mixed.values[0..<(2 * plane)].allSatisfy { $0 == 0.5 })
        let (_, truth) = Self.scan(speckle: false)
        var checked = 0
        for i in 0..<plane {
            let y = i / 40, x = i % 40
            // Away from the disc's rim, where coarse voxels hold one class only.
            let r = (Double((y - 11) * (y - 11) + (x - 11) * (x - 11))).squareRoot()
            guard abs(r - 7) > 3 else { continue }
            let p1 = mixed.values[(plane + i) * 2]
            #expect(truth[1, y, x] == 1 ? p1 > 0.95 : p1 < 0.05, "\(y), \(x): \(p1)")
            checked += 1
        }
        #expect(checked > 1000)
    }

    @Test func aTrainedModelKeepsItsWalkerAndPredictsWithIt() throws {
        let (scan, truth) = Self.scan(speckle: false)
        var labels = Block<UInt8>(shape: scan.shape, repeating: 0)
        for z in [1, 5, 10] {
            for y in 0..<scan.shape.y { for x in 0..<scan.shape.x { labels[z, y, x] = truth[z, y, x] } }
        }
        let project = try BlockProject(scan: scan, labels: labels, prefix: "trowel-walker-model")
        var recipe = TrainingRecipe.standard
        recipe.sigmaMax = 2
        recipe.forest.treeCount = 20
        var run = try TrainingRun(project: project.project, volume: project.volume, recipe: recipe)
        run.tunesDecision = true
        run.tunesWalkerPrior = true
        run.walkerSettings = WalkerField.Settings(downsample: 2, margin: 4)
        let (forest, record) = try run.run()
        let prior = try #require(record.walkerPrior)
        #expect(prior.adopted, "\(prior)")
        // The cross-fitted score is the model's held-out score; no decision weights on top of the walker.
        #expect(abs((RecipeSelection.score(record.metrics) ?? 0) - prior.tunedScore) < 1e-9)
        #expect(record.decision == nil && forest.decisionWeights == nil)
        let library = ModelLibrary(project: project.project)
        let (predictor, loaded) = try library.predictor(record.id, volume: project.volume)
        #expect(loaded.walkerPrior == prior)
        #expect(predictor.prior != nil)
        // Slice 7 lies between labelled slices: the forest alone cannot tell the discs apart, the model can.
        let box = Box(z: 7..<8, y: 0..<40, x: 0..<40)
        let predicted = try predictor.labels(box)
        var wrong = 0
        for y in 0..<40 { for x in 0..<40 where predicted[0, y, x] != truth[7, y, x] { wrong += 1 } }
        #expect(wrong < 40, "\(wrong) of 1600 voxels wrong")
        // The file round trip gives the same field.
        let field = try WalkerField(contentsOf: library.walkerURL(record.id))
        #expect(field.region == predictor.prior!.field.region && field.classes == predictor.prior!.field.classes)
        #expect(field.solution.probabilities == predictor.prior!.field.solution.probabilities)
        // A model whose walker file is gone says so.
        try FileManager.default.removeItem(at: library.walkerURL(record.id))
        #expect(throws: LearningError.self) { try library.predictor(record.id, volume: project.volume) }
    }

    @Test func sampledProbabilitiesAgreeWithTheUpsampledClasses() {
        let grid = WalkerGrid(full: Shape(z: 5, y: 9, x: 11), factors: Shape(z: 2, y: 4, x: 3))
        var random = TestRandom(state: 11)
        let n = grid.coarse.voxelCount
        let a = (0..<n).map { _ in Float(random.below(1000)) / 1000 }
        let probabilities = [a, a.map { 1 - $0 }]
        let labels = Block<UInt8>(shape: grid.full, repeating: 0)
        let (classes, confidence) = grid.upsampled(probabilities: probabilities, labels: labels, z0: 0, confidence: true)
        var voxels: [Index3] = []
        for z in 0..<5 { for y in 0..<9 { for x in 0..<11 { voxels.append(Index3(z: z, y: y, x: x)) } } }
        let sampled = grid.sample(probabilities: probabilities, at: voxels)
        for i in voxels.indices {
            let (p, q) = (sampled[i * 2], sampled[i * 2 + 1])
            #expect(abs(p + q - 1) < 1e-5)
            #expect(abs(max(p, q) - confidence[i]) < 1e-5)
            if abs(p - q) > 1e-5 { #expect(classes[i] == (p > q ? 1 : 2)) }
        }
    }
}
