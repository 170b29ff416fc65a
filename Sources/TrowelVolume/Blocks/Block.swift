/// A dense 3D block of voxels of one Swift type, stored contiguously in C order (x fastest).
public struct Block<Element: VoxelScalar>: Sendable {
    public var shape: Shape
    public var elements: [Element]

    public init(shape: Shape, elements: [Element]) {
        precondition(elements.count == shape.voxelCount, "Block: \(elements.count) elements for shape \(shape)")
        self.shape = shape
        self.elements = elements
    }

    /// A block filled with one value.
    public init(shape: Shape, repeating value: Element) {
        self.shape = shape
        self.elements = Array(repeating: value, count: shape.voxelCount)
    }

    @inline(__always)
    public subscript(z: Int, y: Int, x: Int) -> Element {
        get { elements[shape.offset(z: z, y: y, x: x)] }
        set { elements[shape.offset(z: z, y: y, x: x)] = newValue }
    }

    public subscript(p: Index3) -> Element {
        get { self[p.z, p.y, p.x] }
        set { self[p.z, p.y, p.x] = newValue }
    }

    /// Copies the part of `source` (placed at `sourceOrigin` in a common frame) that overlaps this block
    /// (placed at `origin`). Used to assemble reads from chunks and to cut blocks out of slabs.
    public mutating func copy(from source: Block<Element>, at sourceOrigin: Index3, into origin: Index3) {
        let mine = Box(origin: origin, shape: shape)
        let theirs = Box(origin: sourceOrigin, shape: source.shape)
        let overlap = mine.intersection(theirs)
        if overlap.isEmpty { return }
        let n = overlap.shape.x
        let dstShape = shape
        let srcShape = source.shape
        elements.withUnsafeMutableBufferPointer { dst in
            source.elements.withUnsafeBufferPointer { src in
                for z in overlap.range(.z) {
                    for y in overlap.range(.y) {
                        let d = dstShape.offset(z: z - origin.z, y: y - origin.y, x: overlap.lower.x - origin.x)
                        let s = srcShape.offset(z: z - sourceOrigin.z, y: y - sourceOrigin.y, x: overlap.lower.x - sourceOrigin.x)
                        (dst.baseAddress! + d).update(from: src.baseAddress! + s, count: n)
                    }
                }
            }
        }
    }

    /// The sub-box `box` (relative to this block's origin) as a new block.
    public func cropped(to box: Box) -> Block<Element> {
        var out = Block(shape: box.shape, repeating: 0)
        out.copy(from: self, at: .zero, into: box.lower)
        return out
    }

    /// Each voxel converted to another scalar type (rounding and clamping for integers).
    public func converted<T: VoxelScalar>(to: T.Type) -> Block<T> {
        if let same = self as? Block<T> { return same }
        // The common case (8/16-bit scans to Float for display and features) without a generic
        // Double round trip per voxel: exact, since every such integer is a Float.
        if T.self == Float.self {
            var floats: [Float]?
            if let b = self as? Block<UInt8> { floats = Self.floats(b.elements) }
            if let b = self as? Block<UInt16> { floats = Self.floats(b.elements) }
            if let b = self as? Block<Int16> { floats = Self.floats(b.elements) }
            if let floats { return Block<T>(shape: shape, elements: unsafeBitCast(floats, to: [T].self)) }
        }
        var out = [T](repeating: 0, count: elements.count)
        elements.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for i in 0..<src.count { dst[i] = T(clampingDouble: src[i].doubleValue) }
            }
        }
        return Block<T>(shape: shape, elements: out)
    }

    private static func floats(_ values: [UInt8]) -> [Float] {
        [Float](unsafeUninitializedCapacity: values.count) { out, n in
            values.withUnsafeBufferPointer { src in
                for i in 0..<src.count { out[i] = Float(src[i]) }
            }
            n = values.count
        }
    }

    private static func floats(_ values: [UInt16]) -> [Float] {
        [Float](unsafeUninitializedCapacity: values.count) { out, n in
            values.withUnsafeBufferPointer { src in
                for i in 0..<src.count { out[i] = Float(src[i]) }
            }
            n = values.count
        }
    }

    private static func floats(_ values: [Int16]) -> [Float] {
        [Float](unsafeUninitializedCapacity: values.count) { out, n in
            values.withUnsafeBufferPointer { src in
                for i in 0..<src.count { out[i] = Float(src[i]) }
            }
            n = values.count
        }
    }

    /// Smallest and largest value (nil for an empty block).
    public var valueRange: ClosedRange<Element>? {
        guard var lo = elements.first else { return nil }
        var hi = lo
        for v in elements {
            if v < lo { lo = v }
            if v > hi { hi = v }
        }
        return lo...hi
    }
}
