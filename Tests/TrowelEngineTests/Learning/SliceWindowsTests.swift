import Foundation
import Testing
import TrowelML
import TrowelVolume
@testable import TrowelEngine

/// Per-slice normalisation on a scan whose brightness drifts along z: the windows follow the
/// drift, a model trained with them finds the bone in slices far from its labels where one window
/// for the whole scan cannot, and blocks predict exactly as the whole volume does.
@Suite(.serialized) struct SliceWindowsTests {
    /// A noisy disc in every slice; slice z is 4z grey levels brighter than slice 0, more than the
    /// bone–matrix contrast (30) across the scan. Labels on slices 1, 3 and 5 only.
    static func drifting() throws -> BlockProject {
        let shape = Shape(z: 24, y: 48, x: 48)
        var random = TestRandom(state: 5)
        var scan = [UInt8](repeating: 0, count: shape.voxelCount)
        var labels = [UInt8](repeating: 0, count: shape.voxelCount)
        for z in 0..<shape.z { for y in 0..<shape.y { for x in 0..<shape.x {
            let i = shape.offset(z: z, y: y, x: x)
            let bone = (y - 24) * (y - 24) + (x - 22) * (x - 22) < 12 * 12
            scan[i] = UInt8(40 + 4 * z + (bone ? 30 : 0) + random.below(20))
            if [1, 3, 5].contains(z) && (x + y) % 2 == 0 { labels[i] = bone ? 1 : 2 }
        } } }
        return try BlockProject(scan: Block(shape: shape, elements: scan), labels: Block(shape: shape, elements: labels),
                                prefix: "trowel-drift")
    }

    static let small = ForestConfiguration(treeCount: 10, maxDepth: 8)

    @Test func windowsFollowTheDrift() throws {
        let f = try Self.drifting()
        let windows = try SliceWindows.measure(f.volume, smoothing: 0)
        #expect(windows.lower.count == 24 && windows.upper.count == 24)
        for z in 0..<24 {
            // Matrix at 40 + 4z … 59 + 4z, bone 30 higher: the 0.5 % and 99.5 % points lie inside
            // (within 3 grey levels of a 49-level window: each slice's quartiles carry its noise).
            #expect(abs(windows.lower[z] - Double(40 + 4 * z)) <= 3, "slice \(z): \(windows.lower[z])")
            #expect(abs(windows.upper[z] - Double(89 + 4 * z)) <= 3, "slice \(z): \(windows.upper[z])")
        }
        #expect(try SliceWindows.measured(f.volume) == SliceWindows.measure(f.volume))
    }

    @Test func aSliceWithoutBoneGetsItsNeighboursWindowNotOneStretchedOverItsMatrix() throws {
        // No drift; bone only in slices 8…23. A slice's own 99.5 % point would sit at the top of
        // the matrix where there is no bone, stretching matrix noise to look like bone.
        let shape = Shape(z: 24, y: 48, x: 48)
        var random = TestRandom(state: 8)
        var scan = [UInt8](repeating: 0, count: shape.voxelCount)
        for z in 0..<shape.z { for y in 0..<shape.y { for x in 0..<shape.x {
            let bone = z >= 8 && (y - 24) * (y - 24) + (x - 22) * (x - 22) < 12 * 12
            scan[shape.offset(z: z, y: y, x: x)] = UInt8(60 + (bone ? 30 : 0) + random.below(20))
        } } }
        let f = try BlockProject(scan: Block(shape: shape, elements: scan),
                                 labels: Block(shape: shape, elements: [UInt8](repeating: 0, count: shape.voxelCount)),
                                 prefix: "trowel-nobone")
        let windows = try SliceWindows.measure(f.volume, smoothing: 0)
        // Its own 99.5 % point is about 79; the bone slices' window top is about 109 (their
        // quartiles sit a little higher with a fifth of the slice bone, so ~97 here).
        for z in 0..<8 { #expect(windows.upper[z] > 95, "slice \(z) without bone: window top \(windows.upper[z])") }
        for z in 12..<24 { #expect(abs(windows.upper[z] - 109) <= 3, "slice \(z): window top \(windows.upper[z])") }
    }

    @Test func aPerSliceModelFindsBoneFarFromItsLabelsAndBlocksEqualTheWhole() throws {
        let f = try Self.drifting()
        func bone(_ recipe: TrainingRecipe) throws -> (Double, RandomForest) {
            let (forest, _) = try TrainingRun(project: f.project, volume: f.volume, recipe: recipe).run()
            let labels = try Predictor(forest: forest, volume: f.volume).labels(Box(z: 18..<24, y: 0..<48, x: 0..<48))
            var right = 0
            for z in 0..<6 { for y in 0..<48 { for x in 0..<48 {
                let isBone = (y - 24) * (y - 24) + (x - 22) * (x - 22) < 12 * 12
                if (labels[Index3(z: z, y: y, x: x)] == 1) == isBone { right += 1 }
            } } }
            return (Double(right) / Double(6 * 48 * 48), forest)
        }
        let global = TrainingRecipe(name: "global", sigmaMin: 1, sigmaMax: 2, forest: Self.small)
        var perSlice = global
        perSlice.name = "per slice"
        perSlice.scaling = .slicePercentiles
        let (globalAccuracy, _) = try bone(global)
        let (perSliceAccuracy, forest) = try bone(perSlice)
        #expect(perSliceAccuracy > 0.95, "per-slice accuracy \(perSliceAccuracy)")
        #expect(globalAccuracy < perSliceAccuracy - 0.1, "global \(globalAccuracy), per-slice \(perSliceAccuracy)")
        guard case .sliceWindows(let lower, _) = forest.spec.normalization else {
            Issue.record("not a per-slice spec: \(forest.spec.normalization)")
            return
        }
        #expect(lower.count == 24)

        // Slabs of slices predict what the whole volume predicts.
        let predictor = Predictor(forest: forest, volume: f.volume)
        let whole = try predictor.predict(f.volume.shape.box)
        for slab in [0..<5, 7..<13, 20..<24] {
            let part = try predictor.predict(Box(z: slab, y: 0..<48, x: 0..<48))
            let plane = 48 * 48 * forest.classes.count
            #expect(part.values == Array(whole.values[(slab.lowerBound * plane)..<(slab.upperBound * plane)]))
        }
    }
}
