import TrowelVolume

/// One disc of paint on a slice: what the brush, eraser and fill apply at each cursor position.
public struct PaintDab: Equatable, Sendable {
    public var axis: Axis
    public var slice: Int
    /// Centre, full-resolution in-plane voxel (rows, columns).
    public var row: Int
    public var column: Int
    /// Radius in voxels (0 paints one voxel).
    public var radius: Int
    /// Class id to write, or 0 to erase.
    public var value: UInt8
    /// Fill tool: only voxels whose value lies in this window are painted.
    public var window: ClosedRange<Double>?

    public init(axis: Axis, slice: Int, row: Int, column: Int, radius: Int, value: UInt8, window: ClosedRange<Double>? = nil) {
        self.axis = axis
        self.slice = slice
        self.row = row
        self.column = column
        self.radius = radius
        self.value = value
        self.window = window
    }

    /// The 3D voxel at in-plane offset (`dr`, `dc`) from the centre.
    public func voxel(dr: Int, dc: Int) -> Index3 {
        var v = Index3.zero
        v[axis] = slice
        let (ra, ca) = axis.planeAxes
        v[ra] = row + dr
        v[ca] = column + dc
        return v
    }

    /// In-plane offsets covered by the disc.
    public var offsets: [(dr: Int, dc: Int)] {
        var out: [(Int, Int)] = []
        let r2 = radius * radius + radius   // a rounder disc than r² for small radii
        for dr in -radius...radius {
            for dc in -radius...radius where dr * dr + dc * dc <= r2 { out.append((dr, dc)) }
        }
        return out
    }

    /// The dabs along a straight line from (`r0`, `c0`) to this dab's centre, so fast strokes leave no gaps.
    public func line(from r0: Int, _ c0: Int) -> [PaintDab] {
        let dr = row - r0, dc = column - c0
        let steps = max(abs(dr), abs(dc))
        if steps <= 1 { return [self] }
        let spacing = max(1, radius)
        return stride(from: spacing, through: steps, by: spacing).map { s in
            var d = self
            d.row = r0 + Int((Double(dr * s) / Double(steps)).rounded())
            d.column = c0 + Int((Double(dc * s) / Double(steps)).rounded())
            return d
        } + (steps % spacing == 0 ? [] : [self])
    }
}
