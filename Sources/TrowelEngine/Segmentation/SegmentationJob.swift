import Dispatch
import Foundation
import TrowelML
import TrowelVolume

/// Segments a whole scan with a model, block by block: each block is predicted with the feature
/// halo around it (so the result equals whole-volume prediction voxel for voxel), written as uint8
/// class ids (and optionally uint8 probabilities), then marked done. A re-run skips finished blocks;
/// `shard` splits the blocks between processes; whoever finishes the last block builds the pyramid.
public struct SegmentationJob: Sendable {
    public struct Options: Sendable {
        /// Compute block side (blocks are cubes, smaller at the far edges); nil picks one for the
        /// model's features (`defaultBlockSide`).
        public var blockSide: Int?
        /// Blocks computed at once (fewer if `memory` is tight).
        public var workers = ProcessInfo.processInfo.activeProcessorCount
        /// Cap on this process's memory; nil = no cap.
        public var memory: ByteCount?
        /// Also write uint8 probabilities per class.
        public var probabilities = false
        /// The share of blocks this process computes.
        public var shard = Shard.whole
        public init() {}
    }

    /// What a run did.
    public struct Result: Sendable {
        public var id: String
        /// Blocks in the whole volume.
        public var blocksTotal: Int
        /// Blocks belonging to this shard.
        public var blocksInShard: Int
        /// Blocks this run predicted.
        public var blocksComputed: Int
        /// Blocks of this shard an earlier run had already finished.
        public var blocksAlreadyDone: Int
        public var voxelsComputed: Int
        public var seconds: Double
        /// True when stopped by `isCancelled` (finished blocks stay recorded).
        public var cancelled: Bool
        /// True when every block of every shard and the pyramid are done.
        public var complete: Bool
        /// Pyramid levels on disk (1 until the pyramid is built).
        public var levels: Int
        public var budget: SegmentationBudget

        public var voxelsPerSecond: Double { seconds > 0 ? Double(voxelsComputed) / seconds : 0 }
    }

    public let store: SegmentationStore
    public let predictor: Predictor
    public let options: Options

    /// 512 for 2D features: their halo pads only in-plane, and at σ 32 it is 130 voxels, so a
    /// 128-voxel block would compute features over 9× its area (512: 2.3×); thin slabs keep the
    /// memory bounded. 128 for 3D features, whose halo pads every side.
    public static func defaultBlockSide(for spec: FeatureSpec) -> Int {
        spec.dimensionality == .planar ? 512 : 128
    }

    /// A job writing `segmentations/<id>.zarr` in the project at `projectURL` with `forest`.
    /// `prior`: the random walker the model mixes into the forest's probabilities, if it adopted one.
    public init(projectURL: URL, id: String, forest: RandomForest, volume: MultiscaleVolume, prior: WalkerPrior.Applied? = nil,
                options: Options = Options()) {
        self.store = SegmentationStore(projectURL: projectURL, id: id)
        self.predictor = Predictor(forest: forest, volume: volume, prior: prior)
        self.options = options
    }

    /// The block sides a user may choose: below 16 the feature halo around each block (up to
    /// ceil(4σ) voxels a side) costs many times the block itself; above 4096 one block slab needs
    /// more memory than any machine has.
    public static let blockSides = 16...4096

    /// The block grid of this job.
    public func grid() throws(SegmentationError) -> BlockGrid {
        if let side = options.blockSide, !Self.blockSides.contains(side) { throw .blockSideOutOfRange(side) }
        return try BlockGrid(shape: predictor.volume.shape, side: options.blockSide ?? Self.defaultBlockSide(for: predictor.forest.spec))
    }

    /// The concurrency and slab depth `options.memory` allows; throws if one slab does not fit.
    public func budget() throws(SegmentationError) -> SegmentationBudget {
        try SegmentationBudget.plan(grid: grid(), spec: predictor.forest.spec, classes: predictor.forest.classes.count,
                                    probabilities: options.probabilities, workers: options.workers,
                                    memory: options.memory, cacheBytes: predictor.volume.cache.byteBudget,
                                    cascade: SegmentationBudget.Cascade(predictor.forest))
    }

    /// Runs this shard's unfinished blocks; `progress` is called (serially, from worker threads)
    /// after each block, `isCancelled` is polled before each block and slab.
    public func run(progress: @escaping @Sendable (SegmentationProgress) -> Void = { _ in },
                    isCancelled: @escaping @Sendable () -> Bool = { false }) throws -> Result {
        let start = DispatchTime.now().uptimeNanoseconds
        let elapsed: @Sendable () -> Double = { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
        let grid = try grid()
        let budget = try budget()
        let store = self.store, predictor = self.predictor, slabDepth = budget.slabDepth
        let forest = predictor.forest
        let classes = forest.classes.map { (id: $0.id, name: $0.name) }
        let (labels, probabilityArrays) = try store.prepare(grid: grid, probabilities: options.probabilities,
                                                            classes: classes, voxelSize: predictor.volume.voxelSize,
                                                            removingAbandonedFiles: options.shard.index == 0)
        let mine = (0..<grid.count).filter { options.shard.owns($0) }
        let pending = mine.filter { !store.isDone($0) }
        let alreadyDone = mine.count - pending.count

        struct Tally {
            var next = 0
            var computed = 0
            var voxels = 0
            var cancelled = false
            var failure: (any Error)?
        }
        let tally = SegmentationTally(Tally())
        if pending.isEmpty {
            progress(SegmentationProgress(blocksDone: mine.count, blocksTotal: mine.count, blocksComputed: 0, voxelsComputed: 0,
                                          elapsed: elapsed()))
        }
        DispatchQueue.concurrentPerform(iterations: max(1, min(budget.concurrency, pending.count))) { _ in
            while true {
                let i: Int? = tally.withLock { t in
                    if t.failure != nil || t.cancelled { return nil }
                    if isCancelled() {
                        t.cancelled = true
                        return nil
                    }
                    guard t.next < pending.count else { return nil }
                    defer { t.next += 1 }
                    return pending[t.next]
                }
                guard let block = i else { return }
                do {
                    let box = grid.box(block)
                    guard try Self.compute(box, predictor: predictor, slabDepth: slabDepth, labels: labels,
                                           probabilities: probabilityArrays, isCancelled: isCancelled) else {
                        tally.withLock { $0.cancelled = true }
                        return
                    }
                    try store.markDone(block)
                    tally.withLock { t in
                        t.computed += 1
                        t.voxels += box.shape.voxelCount
                        progress(SegmentationProgress(blocksDone: alreadyDone + t.computed, blocksTotal: mine.count,
                                                      blocksComputed: t.computed, voxelsComputed: t.voxels, elapsed: elapsed()))
                    }
                } catch {
                    tally.withLock { if $0.failure == nil { $0.failure = error } }
                    return
                }
            }
        }
        let final = tally.withLock { $0 }
        if let failure = final.failure { throw failure }
        var levels = 1
        var complete = store.isComplete
        if !final.cancelled && !complete && store.doneCount(of: grid.count) == grid.count {
            let shapes = predictor.volume.levels.map(\.shape)
            try store.buildPyramid(levelShapes: shapes, chunks: grid.chunkShape, voxelSize: predictor.volume.voxelSize,
                                   workers: max(1, options.workers))
            complete = true
        }
        if complete { levels = predictor.volume.levels.count }
        return Result(id: store.id, blocksTotal: grid.count, blocksInShard: mine.count, blocksComputed: final.computed,
                      blocksAlreadyDone: alreadyDone, voxelsComputed: final.voxels, seconds: elapsed(),
                      cancelled: final.cancelled, complete: complete, levels: levels, budget: budget)
    }

    /// Predicts `box` slab by slab and writes its chunks; false if cancelled before it was whole
    /// (nothing of it is marked done, so a re-run recomputes it).
    static func compute(_ box: Box, predictor: Predictor, slabDepth: Int, labels: ZarrArray, probabilities: [ZarrArray],
                        isCancelled: () -> Bool) throws -> Bool {
        let shape = box.shape
        let plane = shape.y * shape.x
        let classCount = predictor.forest.classes.count
        var classIDs = [UInt8](repeating: 0, count: shape.voxelCount)
        var scaled = probabilities.isEmpty ? [] : [UInt8](repeating: 0, count: shape.voxelCount * classCount)
        var z = box.lower.z
        while z < box.upper.z {
            if isCancelled() { return false }
            let slab = Box(lower: Index3(z: z, y: box.lower.y, x: box.lower.x),
                           upper: Index3(z: min(z + slabDepth, box.upper.z), y: box.upper.y, x: box.upper.x))
            let p = try predictor.predict(slab)
            let offset = (z - box.lower.z) * plane
            let slabLabels = p.labels
            classIDs.withUnsafeMutableBufferPointer { dst in
                slabLabels.elements.withUnsafeBufferPointer { src in
                    (dst.baseAddress! + offset).update(from: src.baseAddress!, count: src.count)
                }
            }
            if !probabilities.isEmpty {
                // Class-major (one plane per class) so each class's array is one contiguous run.
                let n = slabLabels.elements.count
                scaled.withUnsafeMutableBufferPointer { dst in
                    p.values.withUnsafeBufferPointer { v in
                        for k in 0..<classCount {
                            let base = k * shape.voxelCount + offset
                            for i in 0..<n {
                                dst[base + i] = UInt8(clamping: Int((v[i * classCount + k] * 255).rounded()))
                            }
                        }
                    }
                }
            }
            z = slab.upper.z
        }
        for (k, array) in probabilities.enumerated() {
            let part = Array(scaled[(k * shape.voxelCount)..<((k + 1) * shape.voxelCount)])
            try array.write(Block(shape: shape, elements: part), at: box.lower)
        }
        try labels.write(Block(shape: shape, elements: classIDs), at: box.lower)
        return true
    }
}
