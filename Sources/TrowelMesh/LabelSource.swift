import TrowelVolume

/// Where the class ids to mesh come from: a uint8 Zarr array (read block by block) or a block in
/// memory (tests, benchmarks). Reads outside the volume are never asked for.
public struct LabelSource: Sendable {
    enum Storage: Sendable {
        case zarr(ZarrArray)
        case memory(Block<UInt8>)
    }

    let storage: Storage
    /// Voxels per axis of the label volume.
    public let shape: Shape
    /// Micrometres per voxel, which scales the mesh into physical units.
    public let voxelSize: VoxelSize

    /// Labels of a uint8 Zarr array (e.g. level 0 of a segmentation) with its voxel size.
    public init(array: ZarrArray, voxelSize: VoxelSize) throws(MeshError) {
        guard array.dtype == .u8 else { throw .notUInt8(path: array.url.path, dtype: array.dtype.numpyName) }
        storage = .zarr(array)
        shape = array.shape
        self.voxelSize = voxelSize
    }

    /// Full-resolution labels of an OME-Zarr group or plain array, with the recorded voxel size.
    public init(volume: MultiscaleVolume) throws(MeshError) {
        try self.init(array: volume.levels[0], voxelSize: volume.voxelSize)
    }

    /// Labels held in memory.
    public init(block: Block<UInt8>, voxelSize: VoxelSize = .unit) {
        storage = .memory(block)
        shape = block.shape
        self.voxelSize = voxelSize
    }

    /// The labels of `box`, which lies inside the volume.
    func read(_ box: Box) throws(MeshError) -> Block<UInt8> {
        switch storage {
        case .zarr(let array):
            do { return try array.read(box, as: UInt8.self) } catch { throw .read("\(error)") }
        case .memory(let block):
            return block.cropped(to: box)
        }
    }
}
