import TrowelVolume

/// Halves a label volume by the majority of each 2×2×2 cell, the pyramid rule for class ids
/// (a mean would invent classes between two ids). Ties go to the smallest id; at odd edges only
/// the voxels that exist vote, matching `Downsampler.halved` shapes.
public enum LabelDownsampler {
    /// `block` downsampled 2× on every axis by majority vote.
    public static func halve(_ block: Block<UInt8>) -> Block<UInt8> {
        let s = block.shape
        let out = Downsampler.halved(s)
        var result = [UInt8](repeating: 0, count: out.voxelCount)
        block.elements.withUnsafeBufferPointer { src in
            result.withUnsafeMutableBufferPointer { dst in
                var votes = [UInt8](repeating: 0, count: 8)
                for z in 0..<out.z {
                    let z0 = 2 * z, z1 = min(2 * z + 2, s.z)
                    for y in 0..<out.y {
                        let y0 = 2 * y, y1 = min(2 * y + 2, s.y)
                        for x in 0..<out.x {
                            let x0 = 2 * x, x1 = min(2 * x + 2, s.x)
                            var n = 0
                            for zz in z0..<z1 {
                                for yy in y0..<y1 {
                                    let row = (zz * s.y + yy) * s.x
                                    for xx in x0..<x1 {
                                        votes[n] = src[row + xx]
                                        n += 1
                                    }
                                }
                            }
                            dst[(z * out.y + y) * out.x + x] = majority(&votes, count: n)
                        }
                    }
                }
            }
        }
        return Block(shape: out, elements: result)
    }

    /// The most frequent of the first `count` votes; the smallest value among equally frequent ones.
    @inline(__always)
    static func majority(_ votes: inout [UInt8], count: Int) -> UInt8 {
        var best = votes[0], bestCount = 0
        for i in 0..<count {
            let v = votes[i]
            var c = 0
            for j in 0..<count where votes[j] == v { c += 1 }
            if c > bestCount || (c == bestCount && v < best) {
                best = v
                bestCount = c
            }
        }
        return best
    }
}
