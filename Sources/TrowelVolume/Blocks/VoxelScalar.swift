/// A Swift numeric type that can hold voxels of one `DType`.
public protocol VoxelScalar: Sendable, Numeric, Comparable {
    static var dtype: DType { get }
    /// The value as a Double (exact for every supported type but u32/i32 beyond 2^53, which cannot occur).
    var doubleValue: Double { get }
    /// Rounds and clamps into this type's range (truncates nothing silently: NaN becomes 0).
    init(clampingDouble value: Double)
}

extension VoxelScalar where Self: BinaryInteger & FixedWidthInteger {
    @inline(__always) public var doubleValue: Double { Double(self) }
    @inline(__always) public init(clampingDouble value: Double) {
        if value.isNaN { self = 0; return }
        let r = value.rounded()
        if r <= Double(Self.min) { self = .min } else if r >= Double(Self.max) { self = .max } else { self = Self(r) }
    }
}

extension UInt8: VoxelScalar { public static var dtype: DType { .u8 } }
extension UInt16: VoxelScalar { public static var dtype: DType { .u16 } }
extension Int16: VoxelScalar { public static var dtype: DType { .i16 } }
extension UInt32: VoxelScalar { public static var dtype: DType { .u32 } }
extension Int32: VoxelScalar { public static var dtype: DType { .i32 } }

extension Float: VoxelScalar {
    public static var dtype: DType { .f32 }
    @inline(__always) public var doubleValue: Double { Double(self) }
    @inline(__always) public init(clampingDouble value: Double) { self = Float(value) }
}

extension Double: VoxelScalar {
    public static var dtype: DType { .f64 }
    @inline(__always) public var doubleValue: Double { self }
    @inline(__always) public init(clampingDouble value: Double) { self = value }
}
