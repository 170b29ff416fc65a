import Foundation

/// An OME-Zarr multiscale image: the scan at full resolution and its mean-downsampled levels,
/// read through one shared chunk cache. This is how the viewer, training and segmentation see voxels.
public final class MultiscaleVolume: Sendable {
    public let url: URL
    /// Level 0 is full resolution; each next level is 2× smaller on every axis.
    public let levels: [ZarrArray]
    /// Micrometres per voxel at level 0 (from the OME scale transform; 1 µm if absent).
    public let voxelSize: VoxelSize
    /// True when the voxel size came from OME metadata rather than the 1 µm default.
    public let hasRecordedVoxelSize: Bool
    public let cache: ChunkCache

    public var shape: Shape { levels[0].shape }
    public var dtype: DType { levels[0].dtype }

    /// Opens an OME-Zarr group (levels from its `multiscales` metadata) or a plain array (one level).
    public static func open(at url: URL, cache: ChunkCache = ChunkCache(byteBudget: 256 << 20)) throws(ZarrError) -> MultiscaleVolume {
        // An array's own fault (truncated JSON, negative shape, unknown codec, `<c16`) is the error
        // to report; only a folder that is not an array at all is read as an OME-Zarr group.
        do {
            let array = try ZarrArray.open(at: url, cache: cache)
            return MultiscaleVolume(url: url, levels: [array], voxelSize: .unit, hasRecordedVoxelSize: false, cache: cache)
        } catch {
            guard ZarrMetadata.isGroup(folder: url.standardizedFileURL.path) else { throw error }
        }
        let ome = try OMEMultiscales.read(from: url)
        guard !ome.datasets.isEmpty else { throw .invalidMetadata(path: url.path, reason: "multiscales lists no datasets") }
        var arrays: [ZarrArray] = []
        for d in ome.datasets {
            arrays.append(try ZarrArray.open(at: url.appendingPathComponent(d.path), cache: cache))
        }
        let scale = ome.voxelSize ?? []
        let recorded = scale.count == 3 && scale.allSatisfy { $0 > 0 }
        let size = recorded ? VoxelSize(z: scale[0], y: scale[1], x: scale[2]) : .unit
        return MultiscaleVolume(url: url, levels: arrays, voxelSize: size, hasRecordedVoxelSize: recorded, cache: cache)
    }

    init(url: URL, levels: [ZarrArray], voxelSize: VoxelSize, hasRecordedVoxelSize: Bool, cache: ChunkCache) {
        self.url = url
        self.levels = levels
        self.voxelSize = voxelSize
        self.hasRecordedVoxelSize = hasRecordedVoxelSize
        self.cache = cache
    }

    /// Voxels of `box` (in that level's coordinates) at pyramid `level`.
    public func read(_ box: Box, level: Int = 0) throws(ZarrError) -> AnyBlock {
        try levels[min(max(0, level), levels.count - 1)].read(box)
    }

    /// The whole slice `index` across `axis` at `level` (index in that level's coordinates).
    public func slice(axis: Axis, at index: Int, level: Int = 0) throws(ZarrError) -> AnyBlock {
        let array = levels[min(max(0, level), levels.count - 1)]
        return try array.read(Box.slice(axis: axis, at: index, of: array.shape))
    }
}

/// A Zarr array or OME-Zarr image as an import source (its full-resolution level).
public struct ZarrSource: SliceSource {
    public let volume: MultiscaleVolume

    public init(url: URL) throws(ZarrError) {
        volume = try MultiscaleVolume.open(at: url, cache: ChunkCache(byteBudget: 64 << 20))
    }

    /// True when `url` is a folder holding Zarr metadata (v2 array or group, or v3).
    public static func isZarr(_ url: URL) -> Bool {
        [".zarray", ".zgroup", "zarr.json"].contains { FileManager.default.fileExists(atPath: url.appendingPathComponent($0).path) }
    }

    public var shape: Shape { volume.shape }
    public var dtype: DType { volume.dtype }
    public var recordedVoxelSize: VoxelSize? { volume.hasRecordedVoxelSize ? volume.voxelSize : nil }
    public var summary: String { "Zarr \(volume.levels[0].format == .v3 ? "v3" : "v2") array \(volume.url.path) (\(dtype.numpyName))" }

    public func readSlices(_ range: Range<Int>) throws -> AnyBlock {
        try volume.read(Box(z: range, y: 0..<shape.y, x: 0..<shape.x))
    }
}
