import TrowelVolume

/// A scan level ready for ray casting: its values (the window is applied when drawing), and the
/// labels at the same level (max-pooled from full resolution), x fastest.
public struct RenderVolume: Sendable {
    /// Size at this level.
    public let shape: Shape
    /// Pyramid level: voxel (z, y, x) here is (z, y, x) << level at full resolution.
    public let level: Int
    public let values: [Float]
    public let labels: [UInt8]?

    public init(shape: Shape, level: Int, values: [Float], labels: [UInt8]?) {
        precondition(values.count == shape.voxelCount && (labels?.count ?? shape.voxelCount) == shape.voxelCount, "RenderVolume: sizes differ")
        self.shape = shape
        self.level = level
        self.values = values
        self.labels = labels
    }
}
