/// Helpers that build an `AnyBlock` by letting a reader decode straight into its storage,
/// so no slab is copied once more after decoding.
extension AnyBlock {
    /// A block of `dtype` and `shape` whose bytes `fill` writes (all of them; they start uninitialised).
    static func filling(
        dtype: DType, shape: Shape, _ fill: (UnsafeMutableRawBufferPointer) throws -> Void
    ) throws -> AnyBlock {
        func make<T: VoxelScalar>(_ type: T.Type) throws -> Block<T> {
            let count = shape.voxelCount
            let elements = try [T](unsafeUninitializedCapacity: count) { buffer, initialised in
                // Scalars are trivial: zero first so a throwing `fill` leaves nothing undefined.
                let raw = UnsafeMutableRawBufferPointer(buffer)
                raw.initializeMemory(as: UInt8.self, repeating: 0)
                initialised = count
                try fill(raw)
            }
            return Block(shape: shape, elements: elements)
        }
        switch dtype {
        case .u8: return .u8(try make(UInt8.self))
        case .u16: return .u16(try make(UInt16.self))
        case .i16: return .i16(try make(Int16.self))
        case .u32: return .u32(try make(UInt32.self))
        case .i32: return .i32(try make(Int32.self))
        case .f32: return .f32(try make(Float.self))
        case .f64: return .f64(try make(Double.self))
        }
    }
}

/// Grey value of a colour pixel: Rec. 709 luma weights as in skimage's `rgb2gray`
/// (0.2125 R + 0.7154 G + 0.0721 B, applied to stored values without gamma decoding),
/// rounded to the nearest integer for integer samples.
public enum Luminance {
    public static let red = 0.2125
    public static let green = 0.7154
    public static let blue = 0.0721

    /// The weighted sum of one pixel's stored red, green and blue values.
    @inline(__always)
    public static func of(red r: Double, green g: Double, blue b: Double) -> Double {
        red * r + green * g + blue * b
    }

    /// Converts `count` pixels whose red, green and blue samples are `componentStride` elements
    /// apart and whose pixels are `pixelStride` elements apart into grey values of type `D`.
    static func convert<S, D: VoxelScalar>(
        _ source: UnsafeRawPointer, as _: S.Type, count: Int, pixelStride: Int, componentStride: Int,
        into destination: UnsafeMutablePointer<D>, value: (S) -> Double
    ) {
        let s = source.assumingMemoryBound(to: S.self)
        for i in 0..<count {
            let p = s + i * pixelStride
            let grey = of(red: value(p[0]), green: value(p[componentStride]), blue: value(p[2 * componentStride]))
            destination[i] = D(clampingDouble: grey)
        }
    }
}
