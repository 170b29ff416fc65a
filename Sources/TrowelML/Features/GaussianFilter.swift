import Foundation
import TrowelVolume

/// Separable Gaussian smoothing exactly as scipy's `gaussian_filter(mode="nearest", truncate=4)`,
/// which scikit-image's `filters.gaussian` calls: kernel `exp(-x²/2σ²)` normalised to sum 1 on
/// `-r...r`, `r = int(4σ + 0.5)`, samples beyond an edge repeat the edge value.
struct GaussianFilter: Sendable {
    let sigma: Double
    let radius: Int
    /// Half kernel: `weights[k]` multiplies the samples at offsets ±k.
    let weights: [Float]

    init(sigma: Double) {
        self.sigma = sigma
        radius = FeatureSpec.kernelRadius(sigma)
        var phi = (0...radius).map { Foundation.exp(-0.5 / (sigma * sigma) * Double($0 * $0)) }
        let sum = phi[0] + 2 * phi.dropFirst().reduce(0, +)
        phi = phi.map { $0 / sum }
        weights = phi.map { Float($0) }
    }

    /// `source` (of `shape`) smoothed along z (when `volumetric`), y and x, in that order, computed
    /// only over `keep` (a box of `shape`; the result has `keep.shape`). Each pass computes just what
    /// the next one reads: the z pass covers `keep` grown by the radius in y and x, the y pass `keep`
    /// grown in x. So a block read with a large halo for the largest σ costs the small σ little, and
    /// values equal smoothing the whole of `source` then cropping, bit for bit.
    func apply(to source: FloatBuffer, shape: Shape, volumetric: Bool, keep: Box) -> FloatBuffer {
        precondition(shape.box.contains(keep), "GaussianFilter: \(keep) outside \(shape)")
        let r = radius
        func grown(_ range: Range<Int>, _ length: Int) -> Range<Int> {
            max(0, range.lowerBound - r)..<min(length, range.upperBound + r)
        }
        let wideX = grown(keep.lower.x..<keep.upper.x, shape.x)
        var current = source
        var currentBox = shape.box
        if volumetric {
            let box = Box(z: keep.lower.z..<keep.upper.z, y: grown(keep.lower.y..<keep.upper.y, shape.y), x: wideX)
            let next = FloatBuffer(count: box.shape.voxelCount)
            pass(current, currentBox, next, box, axis: 0, length: shape.z)
            current = next
            currentBox = box
        }
        let yBox = Box(z: keep.lower.z..<keep.upper.z, y: keep.lower.y..<keep.upper.y, x: wideX)
        let afterY = FloatBuffer(count: yBox.shape.voxelCount)
        pass(current, currentBox, afterY, yBox, axis: 1, length: shape.y)
        let out = FloatBuffer(count: keep.shape.voxelCount)
        pass(afterY, yBox, out, keep, axis: 2, length: shape.x)
        return out
    }

    /// `source` (of `shape`) smoothed along every filtered axis, over the whole of `shape`.
    func apply(to source: FloatBuffer, shape: Shape, volumetric: Bool) -> FloatBuffer {
        apply(to: source, shape: shape, volumetric: volumetric, keep: shape.box)
    }

    /// One pass along `axis` (0 = z, 1 = y, 2 = x) of an axis `length` long (samples beyond it
    /// repeat the edge): `dst` (laid out as `dstBox`) from `src` (laid out as `srcBox`, which holds
    /// every sample the pass reads). In parallel over the rows of `dstBox`.
    private func pass(_ src: FloatBuffer, _ srcBox: Box, _ dst: FloatBuffer, _ dstBox: Box, axis: Int, length: Int) {
        let r = radius
        let w = weights
        let s = src.sharedReadable, d = dst.shared
        let ss = srcBox.shape, ds = dstBox.shape
        let rows = ds.z * ds.y
        if rows == 0 || ds.x == 0 { return }
        // Offset of source row (z, y) (volume coordinates), at the first x of dstBox.
        @inline(__always) func sourceRow(_ z: Int, _ y: Int) -> Int {
            ((z - srcBox.lower.z) * ss.y + (y - srcBox.lower.y)) * ss.x + (dstBox.lower.x - srcBox.lower.x)
        }
        Parallel.forEachRange(rows, minimumChunk: 4) { range in
            w.withUnsafeBufferPointer { wb in
                let weights = wb.baseAddress!
                let padded = axis == 2 ? UnsafeMutablePointer<Float>.allocate(capacity: ds.x + 2 * r) : nil
                defer { padded?.deallocate() }
                for row in range {
                    let z = dstBox.lower.z + row / ds.y, y = dstBox.lower.y + row % ds.y
                    let out = d + row * ds.x
                    if let p = padded {
                        // Along x: the row's samples with the edge repeated, then a strided-by-1 convolution.
                        let line = s + (sourceRow(z, y) - (dstBox.lower.x - srcBox.lower.x))   // srcBox's first x
                        for i in 0..<(ds.x + 2 * r) {
                            let x = min(length - 1, max(0, dstBox.lower.x - r + i))
                            p[i] = line[x - srcBox.lower.x]
                        }
                        GaussianFilter.convolve(center: UnsafePointer(p + r), stride: 1, count: ds.x,
                                                radius: r, weights: weights, into: out)
                        continue
                    }
                    let c = axis == 0 ? z : y
                    let step = axis == 0 ? ss.y * ss.x : ss.x
                    let center = sourceRow(z, y)
                    if c >= r && c + r < length {
                        // Interior: the samples ±k are `step` apart in memory.
                        GaussianFilter.convolve(center: s + center, stride: step, count: ds.x,
                                                radius: r, weights: weights, into: out)
                        continue
                    }
                    let w0 = weights[0]
                    let mid = s + center
                    for j in 0..<ds.x { out[j] = w0 * mid[j] }
                    if r == 0 { continue }
                    for k in 1...r {
                        let wk = weights[k]
                        let lo = s + (center + (max(0, c - k) - c) * step)
                        let hi = s + (center + (min(length - 1, c + k) - c) * step)
                        for j in 0..<ds.x { out[j] += wk * (lo[j] + hi[j]) }
                    }
                }
            }
        }
    }

    /// d[x] = w0·c[x] + Σₖ wₖ·(c[x − k·stride] + c[x + k·stride]) for x in 0..<count, with 16
    /// outputs kept in registers across all taps. Every output sees the same operations in the same
    /// order wherever it lies, so blockwise results equal whole-image results bit for bit.
    @inline(__always)
    static func convolve(center c: UnsafePointer<Float>, stride: Int, count: Int, radius r: Int,
                         weights w: UnsafePointer<Float>, into d: UnsafeMutablePointer<Float>) {
        typealias V = SIMD16<Float>
        let w0 = w[0]
        var x = 0
        while x + 16 <= count {
            let base = UnsafeRawPointer(c + x)
            var acc = w0 * base.loadUnaligned(as: V.self)
            var k = 1
            while k <= r {
                let lo = base.loadUnaligned(fromByteOffset: -k * stride * 4, as: V.self)
                let hi = base.loadUnaligned(fromByteOffset: k * stride * 4, as: V.self)
                acc += w[k] * (lo + hi)
                k += 1
            }
            UnsafeMutableRawPointer(d + x).storeBytes(of: acc, as: V.self)
            x += 16
        }
        while x < count {
            var acc = w0 * c[x]
            var k = 1
            while k <= r {
                acc += w[k] * (c[x - k * stride] + c[x + k * stride])
                k += 1
            }
            d[x] = acc
            x += 1
        }
    }
}
