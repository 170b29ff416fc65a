/// Mean downsampling by 2 on every axis, the rule behind the image pyramid.
///
/// Output shape is ceil(n/2) per axis; a voxel at an odd edge averages only the input voxels that
/// exist (no zero padding, so borders do not darken). Integers round half up.
public enum Downsampler {
    /// The shape of the next pyramid level.
    public static func halved(_ shape: Shape) -> Shape {
        Shape(z: (shape.z + 1) / 2, y: (shape.y + 1) / 2, x: (shape.x + 1) / 2)
    }

    /// Shapes of every pyramid level: level 0 is `shape`; levels are added until the largest side is under `stopBelow`.
    public static func levelShapes(for shape: Shape, stopBelow: Int = 256) -> [Shape] {
        var shapes = [shape]
        while shapes.last!.largestSide >= stopBelow && shapes.last!.largestSide > 1 {
            shapes.append(halved(shapes.last!))
        }
        return shapes
    }

    /// `block` downsampled 2× on every axis by averaging.
    public static func halve(_ block: AnyBlock) -> AnyBlock {
        // Never stopped, so never nil.
        halve(block, until: { false })!
    }

    /// `block` downsampled 2× on every axis, or nil once `shouldStop` (polled before each output
    /// slice) says so: a slab of wide slices takes seconds, and Ctrl-C must not wait for it.
    public static func halve(_ block: AnyBlock, until shouldStop: () -> Bool) -> AnyBlock? {
        switch block {
        case .u8(let b): return halve(b, until: shouldStop).map(AnyBlock.u8)
        case .u16(let b): return halve(b, until: shouldStop).map(AnyBlock.u16)
        case .i16(let b): return halve(b, until: shouldStop).map(AnyBlock.i16)
        case .u32(let b): return halve(b, until: shouldStop).map(AnyBlock.u32)
        case .i32(let b): return halve(b, until: shouldStop).map(AnyBlock.i32)
        case .f32(let b): return halve(b, until: shouldStop).map(AnyBlock.f32)
        case .f64(let b): return halve(b, until: shouldStop).map(AnyBlock.f64)
        }
    }

    /// `block` downsampled 2× on every axis by averaging.
    public static func halve<T: VoxelScalar>(_ block: Block<T>) -> Block<T> {
        halve(block, until: { false })!
    }

    /// `block` downsampled 2× on every axis, or nil once `shouldStop` (polled per output slice) says so.
    public static func halve<T: VoxelScalar>(_ block: Block<T>, until shouldStop: () -> Bool) -> Block<T>? {
        let s = block.shape
        let o = halved(s)
        var out = [T](repeating: 0, count: o.voxelCount)
        let rounds = !T.dtype.isFloatingPoint
        // Sum pairs along x into a Double row, then add rows along y and slices along z.
        var rowSums = [Double](repeating: 0, count: o.x)
        var counts = [Double](repeating: 0, count: o.x)
        var stopped = false
        block.elements.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for oz in 0..<o.z {
                    if shouldStop() {
                        stopped = true
                        return
                    }
                    let z0 = 2 * oz, z1 = min(2 * oz + 2, s.z)
                    for oy in 0..<o.y {
                        let y0 = 2 * oy, y1 = min(2 * oy + 2, s.y)
                        for i in 0..<o.x { rowSums[i] = 0; counts[i] = 0 }
                        for z in z0..<z1 {
                            for y in y0..<y1 {
                                let row = s.offset(z: z, y: y, x: 0)
                                for ox in 0..<o.x {
                                    let x0 = 2 * ox
                                    var sum = src[row + x0].doubleValue
                                    var n = 1.0
                                    if x0 + 1 < s.x {
                                        sum += src[row + x0 + 1].doubleValue
                                        n = 2
                                    }
                                    rowSums[ox] += sum
                                    counts[ox] += n
                                }
                            }
                        }
                        let base = o.offset(z: oz, y: oy, x: 0)
                        for ox in 0..<o.x {
                            let mean = rowSums[ox] / counts[ox]
                            dst[base + ox] = T(clampingDouble: rounds ? (mean + 0.5).rounded(.down) : mean)
                        }
                    }
                }
            }
        }
        return stopped ? nil : Block(shape: o, elements: out)
    }
}
