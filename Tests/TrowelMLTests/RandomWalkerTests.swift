import Foundation
import Testing
import TrowelVolume
@testable import TrowelML

/// Seeded random walker: against scikit-image's exact solution, and on constructed shapes.
@Suite struct RandomWalkerTests {
    private func compare(_ name: String, shape: Shape, classes: Int, beta: Double, guess: RandomWalker.InitialGuess) throws {
        let image = try Fixtures.f32("\(name)_image.f32")
        let seeds = try [UInt8](Fixtures.data("\(name)_seeds.u8"))
        let reference = try Fixtures.f32("\(name)_prob.f32")
        let n = shape.voxelCount
        #expect(image.count == n && seeds.count == n && reference.count == classes * n)
        let solution = try RandomWalker.solve(intensities: image, seeds: seeds, shape: shape, classCount: classes,
                                              parameters: .init(beta: beta, tolerance: 1e-6, initialGuess: guess))
        #expect(solution.converged)
        var worst: Float = 0
        for k in 0..<classes {
            for i in 0..<n { worst = max(worst, abs(solution.probabilities[k][i] - reference[k * n + i])) }
        }
        #expect(worst < 1e-3, "largest probability difference from skimage: \(worst)")
        // The same labels as skimage's argmax.
        var mismatches = 0
        for i in 0..<n {
            var best = 0
            for k in 1..<classes where reference[k * n + i] > reference[best * n + i] { best = k }
            if solution.mostProbable(at: i) != UInt8(best + 1) { mismatches += 1 }
        }
        #expect(mismatches == 0)
    }

    @Test func matchesScikitImage2D() throws {
        try compare("walker2d", shape: Shape(z: 1, y: 12, x: 14), classes: 2, beta: 130, guess: .zero)
    }

    @Test func matchesScikitImage3DThreeClasses() throws {
        try compare("walker3d", shape: Shape(z: 6, y: 8, x: 9), classes: 3, beta: 90, guess: .zero)
        try compare("walker3d", shape: Shape(z: 6, y: 8, x: 9), classes: 3, beta: 90, guess: .alongZ)
    }

    @Test func rejectsBadInput() {
        let shape = Shape(z: 1, y: 2, x: 2)
        #expect(throws: RandomWalkerError.tooFewClasses(1)) {
            try RandomWalker.solve(intensities: [0, 0, 0, 0], seeds: [1, 0, 0, 0], shape: shape, classCount: 1)
        }
        #expect(throws: RandomWalkerError.seedOutOfRange(3, classes: 2)) {
            try RandomWalker.solve(intensities: [0, 0, 0, 0], seeds: [3, 0, 0, 0], shape: shape, classCount: 2)
        }
        #expect(throws: RandomWalkerError.noSeeds) {
            try RandomWalker.solve(intensities: [0, 0, 0, 0], seeds: [0, 0, 0, 0], shape: shape, classCount: 2)
        }
        // Every voxel a seed: nothing to solve, the seeds are the answer.
        let all = try? RandomWalker.solve(intensities: [0, 0, 0, 0], seeds: [1, 2, 1, 2], shape: shape, classCount: 2)
        #expect(all?.labels() == [1, 2, 1, 2] && all?.unknowns == 0)
        #expect(throws: RandomWalkerError.self) {
            try RandomWalker.solve(intensities: [0, 0, 0], seeds: [1, 2, 0, 0], shape: shape, classCount: 2)
        }
    }

    /// A noisy bright ball in a darker matrix, truth 1 inside, 2 outside.
    static func sphere(side: Int = 40, radius: Double = 12, seed: UInt64 = 5) -> (image: [Float], truth: [UInt8], shape: Shape) {
        let shape = Shape.cube(side)
        var rng = SeededGenerator(seed: seed)
        var image = [Float](repeating: 0, count: shape.voxelCount)
        var truth = [UInt8](repeating: 0, count: shape.voxelCount)
        let c = Double(side - 1) / 2
        for z in 0..<side {
            for y in 0..<side {
                for x in 0..<side {
                    let i = shape.offset(z: z, y: y, x: x)
                    let d = ((Double(z) - c) * (Double(z) - c) + (Double(y) - c) * (Double(y) - c) + (Double(x) - c) * (Double(x) - c)).squareRoot()
                    truth[i] = d < radius ? 1 : 2
                    var noise = 0.0
                    for _ in 0..<4 { noise += Double(rng.below(1000)) / 1000 - 0.5 }
                    image[i] = Float(min(1, max(0, (d < radius ? 0.7 : 0.3) + 0.1 * noise)))
                }
            }
        }
        return (image, truth, shape)
    }

    static func dice(_ a: [UInt8], _ b: [UInt8], class k: UInt8, where keep: (Int) -> Bool) -> Double {
        var both = 0, na = 0, nb = 0
        for i in a.indices where keep(i) {
            let x = a[i] == k, y = b[i] == k
            if x { na += 1 }
            if y { nb += 1 }
            if x && y { both += 1 }
        }
        return na + nb == 0 ? 1 : 2 * Double(both) / Double(na + nb)
    }

    /// Labels on 3 slices through the ball (dense), recovered between them via the coarse grid.
    private func sphereRecovery(downsample: Int, sliceSpacing: Int) throws -> Double {
        let (image, truth, shape) = Self.sphere()
        let labelled = [20 - sliceSpacing, 20, 20 + sliceSpacing]
        var labels = [UInt8](repeating: 0, count: shape.voxelCount)
        for z in labelled {
            for i in (z * shape.y * shape.x)..<((z + 1) * shape.y * shape.x) { labels[i] = truth[i] }
        }
        // Region: the labelled z range, whole in-plane.
        let z0 = labelled.first!, z1 = labelled.last! + 1
        let plane = shape.y * shape.x
        let region = Shape(z: z1 - z0, y: shape.y, x: shape.x)
        let grid = WalkerGrid(full: region, factors: Shape(z: 1, y: downsample, x: downsample))
        var sums = [Float](repeating: 0, count: grid.coarse.voxelCount)
        var counts = [Int32](repeating: 0, count: grid.coarse.voxelCount)
        var seeds = [UInt8](repeating: 0, count: grid.coarse.voxelCount)
        let slabImage = Block(shape: region, elements: Array(image[(z0 * plane)..<(z1 * plane)]))
        let slabLabels = Block(shape: region, elements: Array(labels[(z0 * plane)..<(z1 * plane)]))
        grid.accumulate(intensities: slabImage, labels: slabLabels, z0: 0, sums: &sums, counts: &counts, seeds: &seeds)
        WalkerGrid.finish(sums: &sums, counts: counts, seeds: &seeds)
        let solution = try RandomWalker.solve(intensities: sums, seeds: seeds, shape: grid.coarse, classCount: 2)
        #expect(solution.converged)
        let result = grid.upsampledClasses(probabilities: solution.probabilities, labels: slabLabels, z0: 0)
        let truthRegion = Array(truth[(z0 * plane)..<(z1 * plane)])
        // Score only the unlabelled slices between.
        return Self.dice(result, truthRegion, class: 1) { i in !labelled.contains(z0 + i / plane) }
    }

    @Test func recoversSphereBetweenThreeSlices() throws {
        let d1 = try sphereRecovery(downsample: 1, sliceSpacing: 5)
        #expect(d1 >= 0.95, "Dice \(d1) at downsample 1")
        let d2 = try sphereRecovery(downsample: 2, sliceSpacing: 5)
        #expect(d2 >= 0.95, "Dice \(d2) at downsample 2")
    }

    @Test func recoversStructureFromSlicesEightApart() throws {
        let d = try sphereRecovery(downsample: 1, sliceSpacing: 8)
        #expect(d >= 0.9, "Dice \(d)")
    }

    @Test func upsamplingKeepsGivenLabelsAndInterpolates() {
        // A 1 × 2 × 2 coarse grid of class-1 probability 1 on the left column, 0 on the right.
        let grid = WalkerGrid(full: Shape(z: 1, y: 4, x: 4), factors: Shape(z: 1, y: 2, x: 2))
        #expect(grid.coarse == Shape(z: 1, y: 2, x: 2))
        let p1: [Float] = [1, 0, 1, 0], p2: [Float] = [0, 1, 0, 1]
        var given = Block<UInt8>(shape: Shape(z: 1, y: 4, x: 4), repeating: 0)
        given[0, 0, 3] = 1
        let out = grid.upsampledClasses(probabilities: [p1, p2], labels: given, z0: 0)
        #expect(out == [1, 1, 2, 1,
                        1, 1, 2, 2,
                        1, 1, 2, 2,
                        1, 1, 2, 2])
    }
}
