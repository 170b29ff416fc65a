/// A voxel position or extent in (z, y, x) order, matching numpy and Zarr's C order.
public struct Index3: Hashable, Sendable, Codable, CustomStringConvertible {
    public var z: Int
    public var y: Int
    public var x: Int

    public init(z: Int, y: Int, x: Int) {
        self.z = z
        self.y = y
        self.x = x
    }

    /// Builds from a `[z, y, x]` array (as Zarr metadata stores it).
    public init?(_ array: [Int]) {
        guard array.count == 3 else { return nil }
        self.init(z: array[0], y: array[1], x: array[2])
    }

    public static let zero = Index3(z: 0, y: 0, x: 0)

    public var array: [Int] { [z, y, x] }

    public subscript(axis: Axis) -> Int {
        get {
            switch axis {
            case .z: return z
            case .y: return y
            case .x: return x
            }
        }
        set {
            switch axis {
            case .z: z = newValue
            case .y: y = newValue
            case .x: x = newValue
            }
        }
    }

    public static func + (a: Index3, b: Index3) -> Index3 { Index3(z: a.z + b.z, y: a.y + b.y, x: a.x + b.x) }
    public static func - (a: Index3, b: Index3) -> Index3 { Index3(z: a.z - b.z, y: a.y - b.y, x: a.x - b.x) }

    /// Component-wise minimum and maximum.
    public func clamped(below upper: Index3) -> Index3 { Index3(z: min(z, upper.z), y: min(y, upper.y), x: min(x, upper.x)) }
    public func clamped(above lower: Index3) -> Index3 { Index3(z: max(z, lower.z), y: max(y, lower.y), x: max(x, lower.x)) }

    public var description: String { "(z \(z), y \(y), x \(x))" }
}
