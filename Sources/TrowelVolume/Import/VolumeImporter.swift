import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Streams a `SliceSource` into an OME-Zarr multiscale image (levels `0/`, `1/`, … with mean
/// downsampling), one slab of slices at a time, so memory depends on the slice size, not the scan.
public struct VolumeImporter: Sendable {
    public struct Options: Sendable {
        /// Storage chunk side (64³ reads fast along every axis).
        public var chunk = 64
        public var compressor = ZarrCompressor.zstd(level: 3)
        /// The physical voxel size; nil takes the one the source records (OME-Zarr), else 1 µm.
        public var voxelSize: VoxelSize?
        /// Cap on the memory the import uses; nil = `VolumeImporter.defaultMemoryBudget`.
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

    /// About how many bytes of slices are read, written or downsampled between two looks at
    /// `isCancelled`: a few tens of milliseconds of work, so an interrupted import stops at once.
    static let cancellationStepBytes = 2 << 20

    /// The memory cap of an import given none: slabs used to be a chunk deep whatever the slice
    /// size (64 slices of 10000² voxels, 6 GB); now no shape makes a default import grow past this.
    public static let defaultMemoryBudget = ByteCount(1 << 30)

    /// The number of slices read per slab: a chunk's depth, or fewer (even) to stay within the budget.
    /// A budget the user gave that cannot hold two slices is an error; with the default budget,
    /// slices that large are imported two at a time.
    public func slabDepth(for source: SliceSource) throws(ImportBudgetError) -> Int {
        let chunkDepth = min(options.chunk, source.shape.z)
        let budget = options.memoryBudget ?? Self.defaultMemoryBudget
        // A slab is held as read, once more while being written, and by the pyramid (≤ 1/3 more);
        // the rest of the process (code, caches, compressor state) takes about 48 MB, plus what the
        // reader itself holds.
        let sliceBytes = Double(source.shape.y) * Double(source.shape.x) * Double(source.dtype.size)
        let overhead = 48 << 20 + source.workingMemoryBytes
        let usable = Double(budget.bytes - overhead)
        var depth = chunkDepth
        while depth > 2 && Double(depth) * sliceBytes * 2.6 > usable { depth -= 2 }
        if Double(depth) * sliceBytes * 2.6 > usable {
            guard options.memoryBudget != nil else { return min(2, chunkDepth) }
            throw ImportBudgetError(budget: budget, needed: ByteCount(Int(2 * sliceBytes * 2.6) + overhead))
        }
        return depth
    }

    /// The disk space the import of `source` needs at least: its voxels and the pyramid (1/7 more),
    /// compressed 4:1 at best (CT scans rarely compress better; uncompressed with no compressor).
    public func minimumDiskBytes(for source: SliceSource) -> Int {
        let raw = Double(source.shape.voxelCount) * Double(source.dtype.size) * (options.pyramid ? 8.0 / 7.0 : 1)
        return Int(options.compressor == .none ? raw : raw / 4)
    }

    /// Throws when the filesystem that will hold `output` has less free space than the import of
    /// `source` needs at least, so a scan that cannot fit fails at once, not hours later.
    public func checkDiskSpace(for source: SliceSource, output: URL) throws(ImportBudgetError) {
        var folder = output.deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: folder.path) && folder.path != "/" { folder.deleteLastPathComponent() }
        var info = statvfs()
        guard statvfs(folder.path, &info) == 0 else { return }
        let free = Double(info.f_bavail) * Double(info.f_frsize)
        let needed = minimumDiskBytes(for: source)
        if Double(needed) > free {
            throw .diskSpace(output.path, needed: ByteCount(needed), free: ByteCount(Int(min(free, Double(Int.max)))),
                             uncompressed: ByteCount(source.shape.voxelCount * source.dtype.size))
        }
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
        // A slab is read (and its statistics gathered) a few slices at a time, so that Ctrl-C is
        // noticed within a fraction of a second however wide the slices are.
        let sliceBytes = max(1, source.shape.y * source.shape.x * source.dtype.size)
        let partDepth = max(1, Self.cancellationStepBytes / sliceBytes)
        while z < source.shape.z {
            if isCancelled() { throw CancellationError() }
            let range = z..<min(z + depth, source.shape.z)
            var parts: [AnyBlock] = []
            var p = range.lowerBound
            while p < range.upperBound {
                if isCancelled() { throw CancellationError() }
                let part = p..<min(p + partDepth, range.upperBound)
                let block = try source.readSlices(part)
                guard block.shape == Shape(z: part.count, y: source.shape.y, x: source.shape.x) else {
                    throw ImportBudgetError.inconsistentSource(source.summary, block.shape)
                }
                stats.add(block)
                parts.append(block)
                p = part.upperBound
            }
            let slab = AnyBlock(stacking: parts)
            parts = []
            try cascade.push(slab, at: z, isLast: range.upperBound == source.shape.z, isCancelled: isCancelled)
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

    /// Writes `slab` and its downsampled levels; `isCancelled` is polled between bands of chunk
    /// rows and downsampled slices (throwing `CancellationError`).
    mutating func push(_ slab: AnyBlock, at z: Int, isLast: Bool, isCancelled: () -> Bool = { false }) throws {
        try push(slab, level: 0, isLast: isLast, isCancelled: isCancelled)
    }

    /// Writes `slab` at `z` into `array`, in bands of whole chunk rows when it is large, looking
    /// at `isCancelled` between bands. A band covers the same chunks the whole slab would, so
    /// nothing is written twice.
    private func write(_ slab: AnyBlock, to array: ZarrArray, z: Int, isCancelled: () -> Bool) throws {
        let rowBytes = max(1, slab.shape.z * slab.shape.x * slab.dtype.size)
        let rows = array.chunks.y * max(1, VolumeImporter.cancellationStepBytes / (rowBytes * array.chunks.y))
        guard rows < slab.shape.y else {
            try array.write(slab, at: Index3(z: z, y: 0, x: 0))
            return
        }
        var y = 0
        while y < slab.shape.y {
            if isCancelled() { throw CancellationError() }
            let band = Box(z: 0..<slab.shape.z, y: y..<min(y + rows, slab.shape.y), x: 0..<slab.shape.x)
            try array.write(slab.cropped(to: band), at: Index3(z: z, y: y, x: 0))
            y = band.upper.y
        }
    }

    private mutating func push(_ slab: AnyBlock, level: Int, isLast: Bool, isCancelled: () -> Bool) throws {
        try write(slab, to: arrays[level], z: nextZ[level], isCancelled: isCancelled)
        nextZ[level] += slab.shape.z
        guard level + 1 < arrays.count else { return }
        var pending = carry[level].map { $0.appendingSlices(slab) } ?? slab
        carry[level] = nil
        if pending.shape.z % 2 == 1 && !isLast {
            carry[level] = pending.slices((pending.shape.z - 1)..<pending.shape.z)
            pending = pending.slices(0..<(pending.shape.z - 1))
        }
        if pending.shape.z == 0 { return }
        guard let half = Downsampler.halve(pending, until: isCancelled) else { throw CancellationError() }
        try push(half, level: level + 1, isLast: isLast, isCancelled: isCancelled)
    }
}

/// The memory budget cannot hold even two slices, a source is empty or returned a slab of the wrong
/// shape, or the compressor settings cannot be used.
public enum ImportBudgetError: Error, CustomStringConvertible {
    case tooSmall(budget: ByteCount, needed: ByteCount)
    case inconsistentSource(String, Shape)
    case emptySource(String, Shape)
    case compressor(String)
    case diskSpace(String, needed: ByteCount, free: ByteCount, uncompressed: ByteCount)

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
        case .diskSpace(let path, let needed, let free, let uncompressed):
            return "\(path): needs at least \(needed) of disk space (the scan is \(uncompressed) uncompressed), and only \(free) is free there; free some space or convert to another disk"
        }
    }
}
