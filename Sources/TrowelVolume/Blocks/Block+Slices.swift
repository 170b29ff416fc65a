extension Block {
    /// Slices `range` (along z) as a new block.
    public func slices(_ range: Range<Int>) -> Block<Element> {
        let plane = shape.y * shape.x
        return Block(shape: Shape(z: range.count, y: shape.y, x: shape.x),
                     elements: Array(elements[(range.lowerBound * plane)..<(range.upperBound * plane)]))
    }

    /// This block with `other`'s slices appended along z (in-plane shapes must match).
    public func appendingSlices(_ other: Block<Element>) -> Block<Element> {
        precondition(other.shape.y == shape.y && other.shape.x == shape.x, "appendingSlices: plane shapes differ")
        return Block(shape: Shape(z: shape.z + other.shape.z, y: shape.y, x: shape.x), elements: elements + other.elements)
    }
}

extension AnyBlock {
    /// Slices `range` (along z) as a new block.
    public func slices(_ range: Range<Int>) -> AnyBlock {
        switch self {
        case .u8(let b): return .u8(b.slices(range))
        case .u16(let b): return .u16(b.slices(range))
        case .i16(let b): return .i16(b.slices(range))
        case .u32(let b): return .u32(b.slices(range))
        case .i32(let b): return .i32(b.slices(range))
        case .f32(let b): return .f32(b.slices(range))
        case .f64(let b): return .f64(b.slices(range))
        }
    }

    /// This block with `other`'s slices appended along z; `other` is converted if its dtype differs.
    public func appendingSlices(_ other: AnyBlock) -> AnyBlock {
        switch self {
        case .u8(let b): return .u8(b.appendingSlices(other.converted(to: UInt8.self)))
        case .u16(let b): return .u16(b.appendingSlices(other.converted(to: UInt16.self)))
        case .i16(let b): return .i16(b.appendingSlices(other.converted(to: Int16.self)))
        case .u32(let b): return .u32(b.appendingSlices(other.converted(to: UInt32.self)))
        case .i32(let b): return .i32(b.appendingSlices(other.converted(to: Int32.self)))
        case .f32(let b): return .f32(b.appendingSlices(other.converted(to: Float.self)))
        case .f64(let b): return .f64(b.appendingSlices(other.converted(to: Double.self)))
        }
    }
}
