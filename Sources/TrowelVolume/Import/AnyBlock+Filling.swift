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
