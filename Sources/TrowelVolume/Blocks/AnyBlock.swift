/// A dense block whose element type is known only at run time (the dtype of a scan on disk).
public enum AnyBlock: Sendable {
    case u8(Block<UInt8>)
    case u16(Block<UInt16>)
    case i16(Block<Int16>)
    case u32(Block<UInt32>)
    case i32(Block<Int32>)
    case f32(Block<Float>)
    case f64(Block<Double>)

    public var dtype: DType {
        switch self {
        case .u8: return .u8
        case .u16: return .u16
        case .i16: return .i16
        case .u32: return .u32
        case .i32: return .i32
        case .f32: return .f32
        case .f64: return .f64
        }
    }

    public var shape: Shape {
        switch self {
        case .u8(let b): return b.shape
        case .u16(let b): return b.shape
        case .i16(let b): return b.shape
        case .u32(let b): return b.shape
        case .i32(let b): return b.shape
        case .f32(let b): return b.shape
        case .f64(let b): return b.shape
        }
    }

    /// Wraps a typed block.
    public init<T: VoxelScalar>(_ block: Block<T>) {
        switch block {
        case let b as Block<UInt8>: self = .u8(b)
        case let b as Block<UInt16>: self = .u16(b)
        case let b as Block<Int16>: self = .i16(b)
        case let b as Block<UInt32>: self = .u32(b)
        case let b as Block<Int32>: self = .i32(b)
        case let b as Block<Float>: self = .f32(b)
        case let b as Block<Double>: self = .f64(b)
        default: preconditionFailure("AnyBlock: unsupported element type \(T.self)")
        }
    }

    /// A zero-filled (or `fill`-filled) block of a run-time dtype.
    public init(dtype: DType, shape: Shape, fill: Double = 0) {
        switch dtype {
        case .u8: self = .u8(Block(shape: shape, repeating: UInt8(clampingDouble: fill)))
        case .u16: self = .u16(Block(shape: shape, repeating: UInt16(clampingDouble: fill)))
        case .i16: self = .i16(Block(shape: shape, repeating: Int16(clampingDouble: fill)))
        case .u32: self = .u32(Block(shape: shape, repeating: UInt32(clampingDouble: fill)))
        case .i32: self = .i32(Block(shape: shape, repeating: Int32(clampingDouble: fill)))
        case .f32: self = .f32(Block(shape: shape, repeating: Float(fill)))
        case .f64: self = .f64(Block(shape: shape, repeating: fill))
        }
    }

    /// The block as `T`, converting (rounding, clamping) when the dtype differs.
    public func converted<T: VoxelScalar>(to type: T.Type) -> Block<T> {
        switch self {
        case .u8(let b): return b.converted(to: type)
        case .u16(let b): return b.converted(to: type)
        case .i16(let b): return b.converted(to: type)
        case .u32(let b): return b.converted(to: type)
        case .i32(let b): return b.converted(to: type)
        case .f32(let b): return b.converted(to: type)
        case .f64(let b): return b.converted(to: type)
        }
    }

    /// Smallest and largest value as Doubles (NaNs in float data are skipped).
    public var valueRange: ClosedRange<Double>? {
        func range<T: VoxelScalar>(_ b: Block<T>) -> ClosedRange<Double>? {
            var lo = Double.infinity, hi = -Double.infinity
            for v in b.elements {
                let d = v.doubleValue
                if d < lo { lo = d }
                if d > hi { hi = d }
            }
            return lo <= hi ? lo...hi : nil
        }
        switch self {
        case .u8(let b): return b.valueRange.map { Double($0.lowerBound)...Double($0.upperBound) }
        case .u16(let b): return b.valueRange.map { Double($0.lowerBound)...Double($0.upperBound) }
        case .i16(let b): return range(b)
        case .u32(let b): return range(b)
        case .i32(let b): return range(b)
        case .f32(let b): return range(b)
        case .f64(let b): return range(b)
        }
    }
}
