import Foundation
import Testing
import TrowelVolume
@testable import TrowelML

/// Autocontext cascades: the fused, banded prediction of every stage equals predicting explicit
/// feature images, blocks read with the cascade's halo give the whole-volume result voxel for
/// voxel, and a cascade survives a round trip through its file.
@Suite struct AutocontextTests {
    /// A noisy ball in a volume (class 1 inside, 2 outside), labels on every 7th voxel.
    static func ball(shape: Shape = Shape(z: 18, y: 44, x: 40), seed: UInt64 = 5) -> (AnyBlock, [UInt8]) {
        var rng = SeededGenerator(seed: seed)
        var voxels = [UInt8](repeating: 0, count: shape.voxelCount)
        var labels = [UInt8](repeating: 0, count: shape.voxelCount)
        for z in 0..<shape.z { for y in 0..<shape.y { for x in 0..<shape.x {
            let d = Double((z - 9) * (z - 9) + (y - 20) * (y - 20) + (x - 19) * (x - 19)).squareRoot()
            let i = shape.offset(z: z, y: y, x: x)
            voxels[i] = UInt8(clamping: (d < 9 ? 150 : 95) + rng.below(90) - 45)
            if rng.below(7) == 0 { labels[i] = d < 9 ? 1 : 2 }
        } } }
        return (AnyBlock(Block(shape: shape, elements: voxels)), labels)
    }

    static func ballVoxels() -> Block<UInt8> {
        guard case .u8(let b) = ball().0 else { fatalError("the ball is u8") }
        return b
    }

    static let forest = ForestConfiguration(treeCount: 8, maxDepth: 8, seed: 3)

    /// A cascade of `stages` trained on whole-volume features (in-sample context: these tests
    /// check prediction, not training).
    static func cascade(_ spec: FeatureSpec, stages: Int, sigmas: [Double] = [1, 2]) throws
        -> (AnyBlock, RandomForest, [FeatureImage]) {
        let (volume, labels) = ball()
        let image = try FeatureBank(spec: spec).features(of: volume)
        var forest = try RandomForest.train(on: TrainingSamples(features: image, labels: labels), spec: spec,
                                            configuration: Self.forest)
        var explicit = [image]
        for _ in 1..<stages {
            let context = try Autocontext(stage: forest, sigmas: sigmas)
            let p = forest.probabilities(for: explicit.last!)
            let added = context.features(of: p, in: volume.shape.box)
            let wide = Self.concatenate(image, added)
            forest = try RandomForest.train(on: TrainingSamples(features: wide, labels: labels), spec: spec, context: context,
                                            configuration: Self.forest)
            explicit.append(wide)
        }
        return (volume, forest, explicit)
    }

    static func concatenate(_ a: FeatureImage, _ b: FeatureImage) -> FeatureImage {
        var values: [Float] = []
        values.reserveCapacity(a.values.count + b.values.count)
        for v in 0..<a.voxelCount {
            values += a.values[(v * a.featureCount)..<((v + 1) * a.featureCount)]
            values += b.values[(v * b.featureCount)..<((v + 1) * b.featureCount)]
        }
        return FeatureImage(shape: a.shape, featureCount: a.featureCount + b.featureCount, values: values)
    }

    @Test(arguments: [FeatureSpec.Dimensionality.planar, .volumetric])
    func fusedCascadeEqualsPredictingExplicitFeatures(_ dimensionality: FeatureSpec.Dimensionality) throws {
        let spec = FeatureSpec(sigmas: [0.5, 1, 2], dimensionality: dimensionality, includesRaw: true)
        for stages in [2, 3] {
            let (volume, forest, explicit) = try Self.cascade(spec, stages: stages)
            #expect(forest.stageCount == stages)
            #expect(forest.featureCount == explicit.last!.featureCount)
            #expect(forest.featureNames.count == forest.featureCount)
            #expect(forest.featureNames.last == "P(class 1) σ=2")
            let fused = try forest.probabilities(of: volume, in: volume.shape.box)
            #expect(fused.values == forest.probabilities(for: explicit.last!).values)
        }
    }

    @Test(arguments: [FeatureSpec.Dimensionality.planar, .volumetric])
    func blocksReadWithTheCascadesHaloEqualTheWholeVolume(_ dimensionality: FeatureSpec.Dimensionality) throws {
        let spec = FeatureSpec(sigmas: [0.5, 1], dimensionality: dimensionality, includesRaw: true)
        let (volume, forest, _) = try Self.cascade(spec, stages: 2)
        let voxels = Self.ballVoxels()
        // Halo: image features (σ 1: 4 + 2) plus the smoothed probabilities' reach (σ 2: 8).
        #expect(forest.halo == spec.halo + 8)
        #expect(forest.contextReach == 8)
        let bounds = volume.shape.box
        let whole = try forest.probabilities(of: volume, in: bounds)
        let wholeLabels = whole.labels
        // Tiles that touch faces and tiles well inside, none aligned with anything.
        for tile in [Box(z: 0..<5, y: 0..<13, x: 0..<11), Box(z: 6..<11, y: 14..<31, x: 9..<30),
                     Box(z: 13..<18, y: 31..<44, x: 27..<40), Box(z: 8..<9, y: 20..<21, x: 19..<20)] {
            let context = forest.contextBox(for: tile, within: bounds)
            if dimensionality == .planar { #expect(context.lower.z == tile.lower.z && context.upper.z == tile.upper.z) }
            let block = AnyBlock(voxels.cropped(to: context))
            let p = try forest.probabilities(of: block, in: tile.translated(by: .zero - context.lower))
            let k = forest.classes.count
            var expected: [Float] = []
            for z in tile.lower.z..<tile.upper.z { for y in tile.lower.y..<tile.upper.y { for x in tile.lower.x..<tile.upper.x {
                let o = bounds.shape.offset(z: z, y: y, x: x)
                expected += whole.values[(o * k)..<((o + 1) * k)]
            } } }
            #expect(p.values == expected, "tile \(tile)")
            #expect(p.labels.elements == wholeLabels.cropped(to: tile).elements)
        }
    }

    @Test func cascadeFilesRoundTripAndOneStageFilesKeepVersionOne() throws {
        let spec = FeatureSpec(sigmas: [1, 2], includesRaw: true)
        let (volume, forest, _) = try Self.cascade(spec, stages: 3, sigmas: [1, 4])
        let data = forest.serialized()
        #expect(data[8] == 2)
        let loaded = try RandomForest(data: data, name: "cascade.forest")
        #expect(loaded == forest)
        #expect(loaded.stageCount == 3 && loaded.context?.sigmas == [1, 4] && loaded.context?.stage.context?.sigmas == [1, 4])
        #expect(try loaded.probabilities(of: volume, in: volume.shape.box).values
                == forest.probabilities(of: volume, in: volume.shape.box).values)
        let single = forest.context!.stage.context!.stage
        #expect(single.serialized()[8] == 1)
        // A damaged earlier stage is caught by its own checksum.
        var damaged = data
        let jsonLength = Int(damaged[32]) | Int(damaged[33]) << 8 | Int(damaged[34]) << 16 | Int(damaged[35]) << 24
        let nested = 32 + 4 + jsonLength + 8
        damaged[nested + 200] ^= 0x10
        let sum = ForestFile.checksum(damaged[32...])
        for i in 0..<8 { damaged[24 + i] = UInt8(truncatingIfNeeded: sum >> (8 * UInt64(i))) }
        #expect(throws: ModelFileError.self) { try RandomForest(data: damaged, name: "cascade.forest") }
    }

    @Test func aStageMustReadTheSameImageFeaturesAsTheOneBefore() throws {
        let (volume, labels) = Self.ball()
        let spec = FeatureSpec(sigmas: [1, 2])
        let first = try RandomForest.train(on: TrainingSamples(features: FeatureBank(spec: spec).features(of: volume), labels: labels),
                                           spec: spec, configuration: Self.forest)
        let other = FeatureSpec(sigmas: [1])
        let context = try Autocontext(stage: first, sigmas: [1])
        let rows = [Float](repeating: 0, count: (other.featureCount + context.featureCount) * 4)
        #expect(throws: TrainingError.self) {
            try RandomForest.train(on: TrainingSamples(featureCount: other.featureCount + context.featureCount, features: rows,
                                                       labels: [1, 2, 1, 2]), spec: other, context: context)
        }
    }
}
