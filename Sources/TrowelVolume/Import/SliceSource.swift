/// A stack of 2D slices that can be read a slab at a time: PNG/TIFF/JPEG 2000 stacks, raw files, Zarr arrays.
/// The converter streams a source slab by slab, so no implementation may load the whole volume.
public protocol SliceSource: Sendable {
    /// (slices, rows, columns) = (z, y, x).
    var shape: Shape { get }
    /// The element type voxels are stored as once imported.
    var dtype: DType { get }
    /// One line for `trowel info` and the project record, e.g. "412 TIFF slices in /data/scan (uint16)".
    var summary: String { get }
    /// Slices `range` as a block of shape (range.count, y, x). Throws `ImportError`, naming the file.
    func readSlices(_ range: Range<Int>) throws -> AnyBlock
    /// The voxel size the file records, if any (OME-Zarr scale); the user's `--voxel-size` wins.
    var recordedVoxelSize: VoxelSize? { get }
    /// Memory the reader holds besides the slab (a library's dictionaries and buffers), which the
    /// importer leaves out of its budget for slabs.
    var workingMemoryBytes: Int { get }
}

extension SliceSource {
    public var recordedVoxelSize: VoxelSize? { nil }
    public var workingMemoryBytes: Int { 0 }
}
