extension Block {
    /// `parts` one after the other along z (their in-plane shapes must match), copied once.
    public init(stacking parts: [Block<Element>]) {
        precondition(!parts.isEmpty, "Block(stacking:): no parts")
        let plane = (parts[0].shape.y, parts[0].shape.x)
        precondition(parts.allSatisfy { ($0.shape.y, $0.shape.x) == plane }, "Block(stacking:): plane shapes differ")
        guard parts.count > 1 else {
            self = parts[0]
            return
        }
        var elements: [Element] = []
        elements.reserveCapacity(parts.reduce(0) { $0 + $1.elements.count })
        for p in parts { elements.append(contentsOf: p.elements) }
        self.init(shape: Shape(z: parts.reduce(0) { $0 + $1.shape.z }, y: plane.0, x: plane.1), elements: elements)
    }
}

extension AnyBlock {
    /// `parts` one after the other along z, in the first part's dtype (others are converted).
    public init(stacking parts: [AnyBlock]) {
        precondition(!parts.isEmpty, "AnyBlock(stacking:): no parts")
        switch parts[0] {
        case .u8: self = .u8(Block(stacking: parts.map { $0.converted(to: UInt8.self) }))
        case .u16: self = .u16(Block(stacking: parts.map { $0.converted(to: UInt16.self) }))
        case .i16: self = .i16(Block(stacking: parts.map { $0.converted(to: Int16.self) }))
        case .u32: self = .u32(Block(stacking: parts.map { $0.converted(to: UInt32.self) }))
        case .i32: self = .i32(Block(stacking: parts.map { $0.converted(to: Int32.self) }))
        case .f32: self = .f32(Block(stacking: parts.map { $0.converted(to: Float.self) }))
        case .f64: self = .f64(Block(stacking: parts.map { $0.converted(to: Double.self) }))
        }
    }

    /// The voxels of `box` (in this block's coordinates) as a new block.
    public func cropped(to box: Box) -> AnyBlock {
        switch self {
        case .u8(let b): return .u8(b.cropped(to: box))
        case .u16(let b): return .u16(b.cropped(to: box))
        case .i16(let b): return .i16(b.cropped(to: box))
        case .u32(let b): return .u32(b.cropped(to: box))
        case .i32(let b): return .i32(b.cropped(to: box))
        case .f32(let b): return .f32(b.cropped(to: box))
        case .f64(let b): return .f64(b.cropped(to: box))
        }
    }
}
