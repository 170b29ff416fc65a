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

    /// `source` (of `shape`) smoothed along x and y, and along z when `volumetric`.
    func apply(to source: FloatBuffer, shape: Shape, volumetric: Bool) -> FloatBuffer {
        let a = FloatBuffer(count: shape.voxelCount)
        smoothRows(source.sharedReadable, a.shared, rows: shape.z * shape.y, length: shape.x)
        let b = FloatBuffer(count: shape.voxelCount)
        smoothLines(a.sharedReadable, b.shared, outer: shape.z, count: shape.y, inner: shape.x)
        if !volumetric { return b }
        smoothLines(b.sharedReadable, a.shared, outer: 1, count: shape.z, inner: shape.y * shape.x)
        return a
    }

    /// Smooths each contiguous row of `length` samples (the x axis).
    func smoothRows(_ src: SharedReadPointer<Float>, _ dst: SharedPointer<Float>, rows: Int, length: Int) {
        let r = radius
        let w = weights
        Parallel.forEachRange(rows, minimumChunk: 8) { range in
            var padded = [Float](repeating: 0, count: length + 2 * r)
            w.withUnsafeBufferPointer { w in
                padded.withUnsafeMutableBufferPointer { pad in
                    let p = pad.baseAddress!
                    for row in range {
                        let s = src + row * length
                        let d = dst + row * length
                        let first = s[0], last = s[length - 1]
                        for i in 0..<r {
                            p[i] = first
                            p[r + length + i] = last
                        }
                        (p + r).update(from: s, count: length)
                        GaussianFilter.convolve(center: UnsafePointer(p + r), stride: 1, count: length,
                                                radius: r, weights: w.baseAddress!, into: d)
                    }
                }
            }
        }
    }

    /// Smooths along an axis whose samples are `inner` apart: the array is `[outer][count][inner]`.
    /// Works on whole lines of `inner` contiguous values at a time (never strides per sample).
    func smoothLines(_ src: SharedReadPointer<Float>, _ dst: SharedPointer<Float>, outer: Int, count: Int, inner: Int) {
        let r = radius
        let w = weights
        let tile = 2048
        let tiles = (inner + tile - 1) / tile
        let rowsPerItem = max(1, min(count, 16))
        let itemsPerOuter = (count + rowsPerItem - 1) / rowsPerItem
        Parallel.forEach(outer * tiles * itemsPerOuter) { item in
            let o = item / (tiles * itemsPerOuter)
            let t = (item / itemsPerOuter) % tiles
            let i0 = (item % itemsPerOuter) * rowsPerItem
            let j0 = t * tile, n = min(inner, j0 + tile) - j0
            let base = o * count * inner + j0
            w.withUnsafeBufferPointer { w in
                for i in i0..<min(count, i0 + rowsPerItem) {
                    let d = dst + (base + i * inner)
                    if i >= r && i + r < count {
                        // Interior: the rows ±k are `inner` apart in memory.
                        GaussianFilter.convolve(center: src + (base + i * inner), stride: inner, count: n,
                                                radius: r, weights: w.baseAddress!, into: d)
                        continue
                    }
                    let c = src + (base + i * inner)
                    let w0 = w[0]
                    for j in 0..<n { d[j] = w0 * c[j] }
                    if r == 0 { continue }
                    for k in 1...r {
                        let wk = w[k]
                        let lo = src + (base + max(0, i - k) * inner)
                        let hi = src + (base + min(count - 1, i + k) * inner)
                        for j in 0..<n { d[j] += wk * (lo[j] + hi[j]) }
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
