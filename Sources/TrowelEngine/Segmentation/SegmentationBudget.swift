import TrowelML
import TrowelVolume

/// How a memory budget is spent: how many blocks run at once and how many slices of a block are
/// predicted per call. 2D features need no context across slices, so a 128³ block is predicted in
/// slabs of a few slices with identical results; 3D features need the whole block with its halo.
public struct SegmentationBudget: Hashable, Sendable {
    /// Blocks computed at the same time.
    public let concurrency: Int
    /// Slices of a block predicted per `Predictor.predict` call.
    public let slabDepth: Int
    /// Estimated peak bytes of one worker (features, probabilities, output block).
    public let bytesPerWorker: Int

    /// Code, the scan's chunk cache and compressor state outside the workers' buffers.
    public static let processOverhead = 64 << 20

    /// Estimated bytes to predict `slices` slices of a block of `grid`: the slab as read (its halo
    /// included, at most 4 bytes a voxel), what the forest's banded prediction holds
    /// (`FeatureBank.predictionBytes`: normalised input, smoothed volumes, one Gaussian's pass
    /// buffers, float probabilities), and the block's uint8 outputs. An autocontext cascade
    /// (`cascade`: how far its earlier stages reach, and the probability features it adds per
    /// voxel) smooths over the region grown by the reach and holds each stage's probabilities
    /// and added features.
    public static func bytes(slices: Int, grid: BlockGrid, spec: FeatureSpec, classes: Int, probabilities: Bool,
                             cascade: Cascade = .none) -> Int {
        let h = spec.halo + cascade.reach
        let volumetric = spec.dimensionality == .volumetric
        let by = min(grid.side, grid.shape.y), bx = min(grid.side, grid.shape.x), bz = min(grid.side, grid.shape.z)
        let region = Shape(z: slices, y: by, x: bx)
        let r = cascade.reach
        let widest = Shape(z: volumetric ? min(slices + 2 * r, grid.shape.z) : slices,
                           y: min(by + 2 * r, grid.shape.y), x: min(bx + 2 * r, grid.shape.x))
        let context = Shape(z: volumetric ? min(slices + 2 * h, grid.shape.z) : slices,
                            y: min(by + 2 * h, grid.shape.y), x: min(bx + 2 * h, grid.shape.x))
        let prediction = (try? FeatureBank(spec: spec))?.predictionBytes(region: widest, context: context, classes: classes)
            ?? context.voxelCount * (spec.featureCount + 8) * 4
        let stages = cascade.reach > 0 ? (widest.voxelCount * classes + region.voxelCount * cascade.addedFeatures) * 4 * 2 : 0
        let outputs = by * bx * bz * (1 + (probabilities ? classes : 0)) * 2
        return context.voxelCount * 4 + prediction + stages + outputs
    }

    /// What an autocontext cascade adds to a prediction's memory.
    public struct Cascade: Hashable, Sendable {
        /// Voxels the earlier stages' probabilities reach beyond a region.
        public var reach: Int
        /// Probability features the last stage adds per voxel.
        public var addedFeatures: Int
        public static let none = Cascade(reach: 0, addedFeatures: 0)

        public init(reach: Int, addedFeatures: Int) {
            self.reach = reach
            self.addedFeatures = addedFeatures
        }

        /// The cascade of `forest` (`.none` for one stage).
        public init(_ forest: RandomForest) {
            self.init(reach: forest.contextReach, addedFeatures: forest.context?.featureCount ?? 0)
        }
    }

    /// Plans `workers` blocks at once within `memory` (nil: no limit); when the budget is tight, fewer
    /// workers and then thinner slabs;
    /// throws `memoryTooSmall` when not even one slab of one block fits.
    public static func plan(grid: BlockGrid, spec: FeatureSpec, classes: Int, probabilities: Bool,
                            workers: Int, memory: ByteCount?, cacheBytes: Int,
                            cascade: Cascade = .none) throws(SegmentationError) -> SegmentationBudget {
        func bytes(slices: Int, grid: BlockGrid, spec: FeatureSpec, classes: Int, probabilities: Bool) -> Int {
            Self.bytes(slices: slices, grid: grid, spec: spec, classes: classes, probabilities: probabilities, cascade: cascade)
        }
        let workers = max(1, workers)
        let depth = min(grid.side, max(1, grid.shape.z))
        let whole = bytes(slices: depth, grid: grid, spec: spec, classes: classes, probabilities: probabilities)
        guard let memory else { return SegmentationBudget(concurrency: workers, slabDepth: depth, bytesPerWorker: whole) }
        let usable = memory.bytes - processOverhead - cacheBytes
        let minimum = spec.dimensionality == .volumetric ? whole
            : bytes(slices: 1, grid: grid, spec: spec, classes: classes, probabilities: probabilities)
        guard usable >= minimum else {
            throw .memoryTooSmall(budget: "\(memory)", needed: "\(ByteCount(minimum + processOverhead + cacheBytes))")
        }
        if spec.dimensionality == .volumetric {
            return SegmentationBudget(concurrency: min(workers, usable / whole), slabDepth: depth, bytesPerWorker: whole)
        }
        // Whole blocks for as many workers as fit; otherwise one worker with the deepest slab that fits.
        let concurrency = min(workers, max(1, usable / whole))
        var slab = depth
        while slab > 1 && bytes(slices: slab, grid: grid, spec: spec, classes: classes, probabilities: probabilities) * concurrency > usable {
            slab -= 1
        }
        return SegmentationBudget(concurrency: concurrency, slabDepth: slab,
                                  bytesPerWorker: bytes(slices: slab, grid: grid, spec: spec, classes: classes, probabilities: probabilities))
    }
}
