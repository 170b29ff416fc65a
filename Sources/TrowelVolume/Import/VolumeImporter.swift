import Dispatch
import Foundation

/// Streams a `SliceSource` into an OME-Zarr multiscale image (levels `0/`, `1/`, … with mean
/// downsampling), one slab of slices at a time, so memory depends on the slice size, not the scan.
public struct VolumeImporter: Sendable {
    public struct Options: Sendable {
        /// Storage chunk side (64³ reads fast along every axis).
        public var chunk = 64
        public var compressor = ZarrCompressor.zstd(level: 3)
        /// The physical voxel size; nil takes the one the source records (OME-Zarr), else 1 µm.
        public var voxelSize: VoxelSize?
        /// Cap on the memory the import uses; nil = one chunk-deep slab.
        public var memoryBudget: ByteCount?
        /// Write the mean-downsampled levels (off for label volumes, which must not be averaged).
        public var pyramid = true
        /// Levels are added until the largest side is under this.
        public var pyramidMinimumSide = 256
        public init() {}
    }

    /// Reported after each slab.
    public struct Progress: Sendable {
        public var slicesDone: Int
        public var slicesTotal: Int
        public var bytesDone: Int
        public var elapsed: Double

        public init(slicesDone: Int, slicesTotal: Int, bytesDone: Int, elapsed: Double) {
            self.slicesDone = slicesDone
            self.slicesTotal = slicesTotal
            self.bytesDone = bytesDone
            self.elapsed = elapsed
        }
    }

    /// What was written.
    public struct Result: Sendable {
        public var levels: [Shape]
        public var values: ValueSummary
        public var bytesRead: Int
        public var seconds: Double
        public var slabDepth: Int
        /// The voxel size written to the metadata.
        public var voxelSize: VoxelSize
    }

    public var options: Options

    public init(options: Options = Options()) {
        self.options = options
    }

    /// The number of slices read per slab: a chunk's depth, or fewer (even) to stay within the budget.
    public func slabDepth(for source: SliceSource) throws(ImportBudgetError) -> Int {
        let chunkDepth = min(options.chunk, source.shape.z)
        guard let budget = options.memoryBudget else { return chunkDepth }
        // A slab is held as read, once more while being written, and by the pyramid (≤ 1/3 more);
        // the rest of the process (code, caches, compressor state) takes about 48 MB.
        let sliceBytes = source.shape.y * source.shape.x * source.dtype.size
        let usable = budget.bytes - 48 << 20
        var depth = chunkDepth
        while depth > 2 && Double(depth * sliceBytes) * 2.6 > Double(usable) { depth -= 2 }
        if Double(depth * sliceBytes) * 2.6 > Double(usable) {
            throw ImportBudgetError(budget: budget, needed: ByteCount(Int(Double(2 * sliceBytes) * 2.6) + 48 << 20))
        }
        return depth
    }

    /// Converts `source` into a new multiscale group at `url`. `isCancelled` is polled between slabs.
    public func run(from source: SliceSource, to url: URL, name: String,
                    progress: (Progress) -> Void = { _ in },
                    isCancelled: () -> Bool = { false }) throws -> Result {
        let start = DispatchTime.now()
        func elapsed() -> Double { Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9 }
        // Faults of the input or the options, before anything is created, named as the user gave them.
        guard !source.shape.isEmpty else { throw ImportBudgetError.emptySource(source.summary, source.shape) }
        if let problem = options.compressor.problem { throw ImportBudgetError.compressor(problem) }
        let shapes = options.pyramid ? Downsampler.levelShapes(for: source.shape, stopBelow: options.pyramidMinimumSide) : [source.shape]
        let depth = try slabDepth(for: source)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        let voxelSize = options.voxelSize ?? source.recordedVoxelSize ?? .unit
        try OMEMultiscales(name: name, voxelSize: voxelSize.array, levels: shapes.count).write(to: url)
        let arrays = try shapes.enumerated().map { level, shape in
            let c = options.chunk
            return try ZarrArray.create(at: url.appendingPathComponent("\(level)"), shape: shape,
                                        chunks: Shape(z: min(c, shape.z), y: min(c, shape.y), x: min(c, shape.x)),
                                        dtype: source.dtype, compressor: options.compressor)
        }
        var cascade = PyramidCascade(arrays: arrays)
        var stats = ValueStatistics(expectedCount: source.shape.voxelCount)
        var bytes = 0
        var z = 0
        while z < source.shape.z {
            if isCancelled() { throw CancellationError() }
            let range = z..<min(z + depth, source.shape.z)
            let slab = try source.readSlices(range)
            guard slab.shape == Shape(z: range.count, y: source.shape.y, x: source.shape.x) else {
                throw ImportBudgetError.inconsistentSource(source.summary, slab.shape)
            }
            stats.add(slab)
            try cascade.push(slab, at: z, isLast: range.upperBound == source.shape.z)
            bytes += slab.shape.voxelCount * source.dtype.size
            z = range.upperBound
            progress(Progress(slicesDone: z, slicesTotal: source.shape.z, bytesDone: bytes, elapsed: elapsed()))
        }
        return Result(levels: shapes, values: stats.summary, bytesRead: bytes, seconds: elapsed(), slabDepth: depth, voxelSize: voxelSize)
    }
}

/// Writes slabs into level 0 and feeds their 2× means down the pyramid, carrying an odd last slice
/// over to the next slab so every level equals downsampling the whole volume at once.
struct PyramidCascade {
    let arrays: [ZarrArray]
    private var carry: [AnyBlock?]
    private var nextZ: [Int]

    init(arrays: [ZarrArray]) {
        self.arrays = arrays
        carry = Array(repeating: nil, count: arrays.count)
        nextZ = Array(repeating: 0, count: arrays.count)
    }

    mutating func push(_ slab: AnyBlock, at z: Int, isLast: Bool) throws {
        try push(slab, level: 0, isLast: isLast)
    }

    private mutating func push(_ slab: AnyBlock, level: Int, isLast: Bool) throws {
        try arrays[level].write(slab, at: Index3(z: nextZ[level], y: 0, x: 0))
        nextZ[level] += slab.shape.z
        guard level + 1 < arrays.count else { return }
        var pending = carry[level].map { $0.appendingSlices(slab) } ?? slab
        carry[level] = nil
        if pending.shape.z % 2 == 1 && !isLast {
            carry[level] = pending.slices((pending.shape.z - 1)..<pending.shape.z)
            pending = pending.slices(0..<(pending.shape.z - 1))
        }
        if pending.shape.z == 0 { return }
        try push(Downsampler.halve(pending), level: level + 1, isLast: isLast)
    }
}

/// The memory budget cannot hold even two slices, a source is empty or returned a slab of the wrong
/// shape, or the compressor settings cannot be used.
public enum ImportBudgetError: Error, CustomStringConvertible {
    case tooSmall(budget: ByteCount, needed: ByteCount)
    case inconsistentSource(String, Shape)
    case emptySource(String, Shape)
    case compressor(String)

    init(budget: ByteCount, needed: ByteCount) { self = .tooSmall(budget: budget, needed: needed) }

    public var description: String {
        switch self {
        case .tooSmall(let budget, let needed):
            return "--memory \(budget) is too small for these slices: at least \(needed) is needed"
        case .inconsistentSource(let source, let shape):
            return "\(source): returned a slab of shape \(shape), not the shape it announced"
        case .emptySource(let source, let shape):
            return "\(source): the scan is \(shape) voxels, nothing to convert"
        case .compressor(let problem):
            return "--compressor: \(problem)"
        }
    }
}
