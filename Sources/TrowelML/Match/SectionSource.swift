import TrowelVolume

/// A scan as the section matcher reads it: a pyramid of levels (0 full resolution, each next one
/// halved) and whole slices across an axis at a level. The engine's implementation reads them
/// from the project's OME-Zarr pyramid; tests may serve blocks from memory.
public protocol SectionSource {
    var levelCount: Int { get }
    /// The level's shape (z, y, x).
    func shape(level: Int) -> Shape
    /// Slice `index` across `axis` at `level` (index in that level's coordinates), as rows × columns
    /// of `axis.planeAxes`.
    func plane(axis: Axis, index: Int, level: Int) throws -> GreyPlane
}
