/// One of the three array axes of a volume, in storage order (z slowest, x fastest).
public enum Axis: Int, CaseIterable, Sendable, Codable, CustomStringConvertible {
    case z = 0, y = 1, x = 2

    /// The two in-plane axes of a slice across this axis, as (rows, columns) on screen.
    public var planeAxes: (rows: Axis, columns: Axis) {
        switch self {
        case .z: return (.y, .x)
        case .y: return (.z, .x)
        case .x: return (.z, .y)
        }
    }

    /// The plane name palaeontologists use for a slice across this axis.
    public var planeName: String {
        switch self {
        case .z: return "XY"
        case .y: return "XZ"
        case .x: return "YZ"
        }
    }

    /// The next axis in the z → y → x → z cycle.
    public var next: Axis { Axis(rawValue: (rawValue + 1) % 3)! }

    public var description: String {
        switch self {
        case .z: return "z"
        case .y: return "y"
        case .x: return "x"
        }
    }
}
