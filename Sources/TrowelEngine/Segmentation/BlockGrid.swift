import TrowelVolume

/// The compute blocks that tile a volume: cubes of `side` voxels (smaller at the far edges),
/// numbered in z, y, x order. The numbering is the identity of a block in `.done` markers and shards.
public struct BlockGrid: Hashable, Sendable {
    /// The volume tiled.
    public let shape: Shape
    /// The side of a full block.
    public let side: Int

    public init(shape: Shape, side: Int) throws(SegmentationError) {
        guard side >= 1 else { throw .badBlockSize(side) }
        self.shape = shape
        self.side = side
    }

    /// Blocks along each axis.
    public var counts: Shape {
        Shape(z: (shape.z + side - 1) / side, y: (shape.y + side - 1) / side, x: (shape.x + side - 1) / side)
    }

    /// How many blocks tile the volume.
    public var count: Int { shape.isEmpty ? 0 : counts.voxelCount }

    /// The voxels of block number `i`.
    public func box(_ i: Int) -> Box {
        let c = counts
        let z = i / (c.y * c.x), y = (i / c.x) % c.y, x = i % c.x
        let lower = Index3(z: z * side, y: y * side, x: x * side)
        return Box(lower: lower, upper: lower + Index3(z: side, y: side, x: side)).intersection(shape.box)
    }

    /// The storage chunk shape for arrays written block by block: the block side halved while above
    /// 64 (fast slice reads in the viewer), so every chunk lies inside one block and two processes
    /// never write the same chunk; clipped to the volume.
    public var chunkShape: Shape {
        var c = side
        while c > 64 && c % 2 == 0 { c /= 2 }
        return Shape(z: min(c, max(1, shape.z)), y: min(c, max(1, shape.y)), x: min(c, max(1, shape.x)))
    }
}
