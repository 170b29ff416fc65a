/// The extent of a 3D array in voxels, (z, y, x).
public struct Shape: Hashable, Sendable, Codable, CustomStringConvertible {
    public var z: Int
    public var y: Int
    public var x: Int

    public init(z: Int, y: Int, x: Int) {
        self.z = z
        self.y = y
        self.x = x
    }

    public init(_ index: Index3) { self.init(z: index.z, y: index.y, x: index.x) }

    /// Builds from a `[z, y, x]` array; nil unless it has three non-negative entries.
    public init?(_ array: [Int]) {
        guard array.count == 3, array.allSatisfy({ $0 >= 0 }) else { return nil }
        self.init(z: array[0], y: array[1], x: array[2])
    }

    public static func cube(_ side: Int) -> Shape { Shape(z: side, y: side, x: side) }

    public var array: [Int] { [z, y, x] }
    public var index: Index3 { Index3(z: z, y: y, x: x) }
    public var voxelCount: Int { z * y * x }
    public var isEmpty: Bool { z <= 0 || y <= 0 || x <= 0 }

    /// The most voxels a volume may have: 2^50, a petavoxel. Below it, byte counts of any element
    /// type, file offsets and per-voxel buffers of a slab never overflow an `Int`.
    public static let maximumVoxelCount = 1 << 50

    /// z·y·x computed without trapping: nil when a side is negative or the product passes
    /// `maximumVoxelCount`. Use it for every shape that comes from a user or a file header.
    public var checkedVoxelCount: Int? {
        guard z >= 0, y >= 0, x >= 0 else { return nil }
        let (zy, o1) = z.multipliedReportingOverflow(by: y)
        let (n, o2) = zy.multipliedReportingOverflow(by: x)
        guard !o1, !o2, n <= Self.maximumVoxelCount else { return nil }
        return n
    }

    /// Why this shape cannot be a volume (too many voxels), or nil when it can; one clause for an error message.
    public var sizeProblem: String? {
        guard checkedVoxelCount == nil else { return nil }
        let voxels = Double(z) * Double(y) * Double(x)
        return "\(z)×\(y)×\(x) is \(String(format: "%.3g", voxels)) voxels, more than Trowel can address (\(String(format: "%.3g", Double(Self.maximumVoxelCount))))"
    }
    public var largestSide: Int { Swift.max(z, y, x) }

    public subscript(axis: Axis) -> Int {
        get { index[axis] }
        set {
            var i = index
            i[axis] = newValue
            self = Shape(i)
        }
    }

    /// Row-major (C order) linear offset of a voxel inside an array of this shape.
    @inline(__always)
    public func offset(z: Int, y: Int, x: Int) -> Int { (z * self.y + y) * self.x + x }

    /// The whole array as a box at the origin.
    public var box: Box { Box(lower: .zero, upper: index) }

    /// The shape of a slice across `axis`, as (rows, columns).
    public func plane(across axis: Axis) -> (rows: Int, columns: Int) {
        let (r, c) = axis.planeAxes
        return (self[r], self[c])
    }

    public var description: String { "\(z)×\(y)×\(x)" }
}
