import Foundation
import TrowelML
import TrowelVolume

/// A random walker solved once on a coarse grid over a region of the scan, from given seeds: the
/// probability of every class at every voxel of the region (trilinear between coarse voxels).
/// `LabelInterpolation` turns it into a segmentation; `WalkerPrior` mixes it into a forest's
/// probabilities.
public struct WalkerField: Sendable {
    /// How the walker is solved.
    public struct Settings: Sendable, Equatable, Codable {
        /// In-plane (y, x) downsampling factor of the solve grid.
        public var downsample: Int
        /// Downsampling along z (1: every slice).
        public var downsampleZ: Int
        public var beta: Double
        public var tolerance: Double
        public var maxIterations: Int?
        /// Full-resolution voxels added around the labels' in-plane bounding box.
        public var margin: Int
        /// Slices added beyond the first and last labelled slice (nil: as many as the widest gap
        /// between labelled slices, the distance a held-out slice lies from its seeds when the
        /// prior is tuned). `LabelInterpolation` never goes beyond the labelled slices.
        public var marginZ: Int?

        public init(downsample: Int = 4, downsampleZ: Int = 1, beta: Double = 130, tolerance: Double = 1e-3,
                    maxIterations: Int? = nil, margin: Int = 32, marginZ: Int? = nil) {
            self.downsample = downsample
            self.downsampleZ = downsampleZ
            self.beta = beta
            self.tolerance = tolerance
            self.maxIterations = maxIterations
            self.margin = margin
            self.marginZ = marginZ
        }

        /// These settings with the grid coarsened (in-plane first, up to 16×, then across slices)
        /// until `region` needs at most `coarseVoxels` grid voxels: the solver needs about
        /// `RandomWalker.estimatedBytes` per grid voxel, so this bounds its memory.
        public func fitted(to region: Box, coarseVoxels: Int = 8 << 20) -> Settings {
            var out = self
            func count() -> Int {
                WalkerGrid(full: region.shape, factors: Shape(z: out.downsampleZ, y: out.downsample, x: out.downsample)).coarse.voxelCount
            }
            while count() > coarseVoxels {
                if out.downsample < 16 { out.downsample += 1 } else { out.downsampleZ += 1 }
            }
            return out
        }

        enum CodingKeys: String, CodingKey {
            case downsample, beta, tolerance, margin
            case downsampleZ = "downsample_z"
            case maxIterations = "max_iterations"
            case marginZ = "margin_z"
        }
    }

    /// The full-resolution region solved; voxels outside it have no walker probability.
    public let region: Box
    public let grid: WalkerGrid
    /// Project class ids, in the order of `solution.probabilities`.
    public let classes: [UInt8]
    public let solution: RandomWalker.Solution
    /// Coarse voxels that were seeds (every labelled voxel of a coarse voxel agreed).
    public let seedVoxels: Int
    public let solveSeconds: Double

    /// The region a walker over labels spanning slices `slices` (z, ascending) and the in-plane box
    /// `plane` solves: the z range of the slices, the box grown by `margin`, clamped to `shape`.
    public static func region(slices: ClosedRange<Int>, plane: Box, margin: Int, shape: Shape) -> Box {
        Box(lower: Index3(z: slices.lowerBound, y: max(0, plane.lower.y - margin), x: max(0, plane.lower.x - margin)),
            upper: Index3(z: slices.upperBound + 1, y: min(shape.y, plane.upper.y + margin), x: min(shape.x, plane.upper.x + margin)))
    }

    /// Solves the walker over `region` of `volume`. `seeds(box)` gives the project class id of every
    /// voxel of a box inside the region (0: not a seed); only `classes` (at least two) are walked,
    /// other ids are ignored. Intensities are mapped to 0…1 between `low` and `high` (clamped).
    /// `solving(unknowns)` is told when the grid is built and the solve starts; `isCancelled` is
    /// polled between slabs and by the solver.
    public static func solve(volume: MultiscaleVolume, low: Double, high: Double, voxelSize: [Double], region: Box,
                             classes: [UInt8], settings: Settings, seeds: (Box) throws -> Block<UInt8>,
                             solving: (Int) -> Void = { _ in }, isCancelled: () -> Bool = { false }) throws -> WalkerField {
        guard settings.downsample >= 1, settings.downsampleZ >= 1 else {
            throw InterpolationError.badOption("--downsample must be at least 1")
        }
        guard settings.beta >= 0, settings.beta.isFinite else { throw InterpolationError.badOption("--beta must be ≥ 0") }
        guard settings.tolerance > 0, settings.tolerance < 1 else { throw InterpolationError.badOption("--tolerance must be in (0, 1)") }
        if let m = settings.maxIterations, m < 1 { throw InterpolationError.badOption("--max-iterations must be at least 1") }
        guard settings.margin >= 0 else { throw InterpolationError.badOption("--margin must be ≥ 0") }
        guard classes.count >= 2 else { throw InterpolationError.tooFewClasses(classes.map { String($0) }) }
        func checkCancelled() throws { if isCancelled() { throw InterpolationError.cancelled } }
        var compact = [UInt8](repeating: 0, count: 256)
        for (k, id) in classes.enumerated() { compact[Int(id)] = UInt8(k + 1) }

        let grid = WalkerGrid(full: region.shape, factors: Shape(z: settings.downsampleZ, y: settings.downsample, x: settings.downsample))
        let scale = high > low ? 1 / (high - low) : 1
        var sums = [Float](repeating: 0, count: grid.coarse.voxelCount)
        var counts = [Int32](repeating: 0, count: grid.coarse.voxelCount)
        var coarseSeeds = [UInt8](repeating: 0, count: grid.coarse.voxelCount)
        let slab = max(settings.downsampleZ, (32 / settings.downsampleZ) * settings.downsampleZ)
        var z = region.lower.z
        while z < region.upper.z {
            let box = Box(lower: Index3(z: z, y: region.lower.y, x: region.lower.x),
                          upper: Index3(z: min(region.upper.z, z + slab), y: region.upper.y, x: region.upper.x))
            let values = Block<Float>(shape: box.shape, elements: normalised(try volume.read(box), low: low, scale: scale))
            var given = try seeds(box)
            for i in given.elements.indices { given.elements[i] = compact[Int(given.elements[i])] }
            grid.accumulate(intensities: values, labels: given, z0: z - region.lower.z, sums: &sums, counts: &counts, seeds: &coarseSeeds)
            z = box.upper.z
            try checkCancelled()
        }
        WalkerGrid.finish(sums: &sums, counts: counts, seeds: &coarseSeeds)

        let seedCount = coarseSeeds.reduce(0) { $0 + ($1 != 0 ? 1 : 0) }
        solving(grid.coarse.voxelCount - seedCount)
        let started = Date()
        let spacing = [voxelSize[0] * Double(grid.factors.z), voxelSize[1] * Double(grid.factors.y), voxelSize[2] * Double(grid.factors.x)]
        let unit = spacing.min() ?? 1
        let parameters = RandomWalker.Parameters(beta: settings.beta, tolerance: settings.tolerance, maxIterations: settings.maxIterations,
                                                 spacing: spacing.map { $0 / unit })
        let solution: RandomWalker.Solution
        if seedCount == grid.coarse.voxelCount {
            // Every coarse voxel is a seed: nothing to solve.
            let probabilities = (1...classes.count).map { k in coarseSeeds.map { $0 == UInt8(k) ? Float(1) : 0 } }
            solution = RandomWalker.Solution(shape: grid.coarse, probabilities: probabilities, unknowns: 0,
                                             iterations: [], residuals: [], converged: true)
        } else {
            do {
                solution = try RandomWalker.solve(intensities: sums, seeds: coarseSeeds, shape: grid.coarse, classCount: classes.count,
                                                  parameters: parameters, shouldStop: isCancelled)
            } catch {
                throw InterpolationError.solver("\(error)")
            }
            try checkCancelled()
        }
        return WalkerField(region: region, grid: grid, classes: classes, solution: solution, seedVoxels: seedCount,
                           solveSeconds: Date().timeIntervalSince(started))
    }

    /// The walker's class probabilities at full-resolution voxels (absolute coordinates),
    /// voxel-major in the order of `classes`, and whether each voxel lies in the region (outside
    /// it the probabilities are 0).
    public func probabilities(at voxels: [Index3]) -> (values: [Float], inside: [Bool]) {
        let inside = voxels.map { region.contains($0) }
        let relative = voxels.enumerated().map { inside[$0.offset] ? $0.element - region.lower : .zero }
        var values = grid.sample(probabilities: solution.probabilities, at: relative)
        let k = classes.count
        for i in inside.indices where !inside[i] {
            for c in 0..<k { values[i * k + c] = 0 }
        }
        return (values, inside)
    }

    /// Scan values mapped to 0…1 between `low` and `low + 1/scale` (clamped).
    static func normalised(_ block: AnyBlock, low: Double, scale: Double) -> [Float] {
        let raw = block.converted(to: Double.self)
        return raw.elements.map { Float(min(1, max(0, ($0 - low) * scale))) }
    }
}
