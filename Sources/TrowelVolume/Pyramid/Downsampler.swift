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
        switch block {
        case .u8(let b): return .u8(halve(b))
        case .u16(let b): return .u16(halve(b))
        case .i16(let b): return .i16(halve(b))
        case .u32(let b): return .u32(halve(b))
        case .i32(let b): return .i32(halve(b))
        case .f32(let b): return .f32(halve(b))
        case .f64(let b): return .f64(halve(b))
        }
    }

    /// `block` downsampled 2× on every axis by averaging.
    public static func halve<T: VoxelScalar>(_ block: Block<T>) -> Block<T> {
        let s = block.shape
        let o = halved(s)
        var out = [T](repeating: 0, count: o.voxelCount)
        let rounds = !T.dtype.isFloatingPoint
        // Sum pairs along x into a Double row, then add rows along y and slices along z.
        var rowSums = [Double](repeating: 0, count: o.x)
        var counts = [Double](repeating: 0, count: o.x)
        block.elements.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for oz in 0..<o.z {
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
        return Block(shape: o, elements: out)
    }
}
