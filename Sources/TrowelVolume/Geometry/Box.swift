/// A half-open box of voxels, `lower..<upper` on each axis, like a numpy slice `[z0:z1, y0:y1, x0:x1]`.
public struct Box: Hashable, Sendable, Codable, CustomStringConvertible {
    public var lower: Index3
    public var upper: Index3

    public init(lower: Index3, upper: Index3) {
        self.lower = lower
        self.upper = upper
    }

    public init(z: Range<Int>, y: Range<Int>, x: Range<Int>) {
        self.init(lower: Index3(z: z.lowerBound, y: y.lowerBound, x: x.lowerBound),
                  upper: Index3(z: z.upperBound, y: y.upperBound, x: x.upperBound))
    }

    public init(origin: Index3, shape: Shape) {
        self.init(lower: origin, upper: origin + shape.index)
    }

    public var shape: Shape {
        Shape(z: Swift.max(0, upper.z - lower.z), y: Swift.max(0, upper.y - lower.y), x: Swift.max(0, upper.x - lower.x))
    }

    public var isEmpty: Bool { shape.isEmpty }

    public func range(_ axis: Axis) -> Range<Int> { lower[axis]..<Swift.max(lower[axis], upper[axis]) }

    /// The overlap of two boxes (possibly empty).
    public func intersection(_ other: Box) -> Box {
        Box(lower: lower.clamped(above: other.lower), upper: upper.clamped(below: other.upper))
    }

    /// The smallest box holding both.
    public func union(_ other: Box) -> Box {
        if isEmpty { return other }
        if other.isEmpty { return self }
        return Box(lower: lower.clamped(below: other.lower), upper: upper.clamped(above: other.upper))
    }

    public func contains(_ p: Index3) -> Bool {
        p.z >= lower.z && p.z < upper.z && p.y >= lower.y && p.y < upper.y && p.x >= lower.x && p.x < upper.x
    }

    public func contains(_ other: Box) -> Bool {
        other.isEmpty || (other.lower.clamped(above: lower) == other.lower && other.upper.clamped(below: upper) == other.upper)
    }

    /// This box grown by `margin` voxels on every side, then clipped to `bounds`.
    public func padded(by margin: Int, within bounds: Box) -> Box {
        let m = Index3(z: margin, y: margin, x: margin)
        return Box(lower: lower - m, upper: upper + m).intersection(bounds)
    }

    /// This box moved by `offset`.
    public func translated(by offset: Index3) -> Box { Box(lower: lower + offset, upper: upper + offset) }

    /// A one-voxel-thick box: the slice at `index` across `axis`, within `bounds`.
    public static func slice(axis: Axis, at index: Int, of shape: Shape) -> Box {
        var b = shape.box
        b.lower[axis] = index
        b.upper[axis] = index + 1
        return b
    }

    /// The in-plane region (`rows`, `columns`, in the plane's own axes) of slice `index` across `axis`.
    public static func slice(axis: Axis, at index: Int, of shape: Shape, rows: Range<Int>, columns: Range<Int>) -> Box {
        var b = slice(axis: axis, at: index, of: shape)
        let (ra, ca) = axis.planeAxes
        b.lower[ra] = rows.lowerBound
        b.upper[ra] = rows.upperBound
        b.lower[ca] = columns.lowerBound
        b.upper[ca] = columns.upperBound
        return b
    }

    public var description: String {
        "[\(lower.z):\(upper.z), \(lower.y):\(upper.y), \(lower.x):\(upper.x)]"
    }
}
