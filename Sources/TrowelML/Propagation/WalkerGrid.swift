import Foundation
import TrowelVolume

/// Moving between a full-resolution region and the coarse grid the random walker solves on:
/// block means of intensities, unanimous seeds, and trilinear upsampling of the solved
/// probabilities back to full resolution with a per-voxel argmax.
public struct WalkerGrid: Sendable, Equatable {
    /// The full-resolution region's shape (z, y, x).
    public let full: Shape
    /// Downsampling factors z, y, x (≥ 1).
    public let factors: Shape
    /// The coarse grid: `ceil(full / factors)` per axis.
    public let coarse: Shape

    public init(full: Shape, factors: Shape) {
        self.full = full
        self.factors = Shape(z: max(1, factors.z), y: max(1, factors.y), x: max(1, factors.x))
        coarse = Shape(z: (full.z + self.factors.z - 1) / self.factors.z, y: (full.y + self.factors.y - 1) / self.factors.y,
                       x: (full.x + self.factors.x - 1) / self.factors.x)
    }

    /// Accumulates a slab of full-resolution slices `z0 ..< z0 + intensities.shape.z` (normalised
    /// intensities and compact labels 0…K, both the region's width) into the coarse sums: `sums`
    /// and `counts` per coarse voxel, `seeds` the class all labelled voxels of a coarse voxel agree
    /// on (0: none labelled, 255: they disagree — resolved to 0 by `finishSeeds`).
    public func accumulate(intensities: Block<Float>, labels: Block<UInt8>, z0: Int,
                           sums: inout [Float], counts: inout [Int32], seeds: inout [UInt8]) {
        precondition(intensities.shape == labels.shape && intensities.shape.y == full.y && intensities.shape.x == full.x)
        let (fz, fy, fx) = (factors.z, factors.y, factors.x)
        let (cy, cx) = (coarse.y, coarse.x)
        let s = intensities.shape
        intensities.elements.withUnsafeBufferPointer { v in
            labels.elements.withUnsafeBufferPointer { l in
                sums.withUnsafeMutableBufferPointer { sum in
                    counts.withUnsafeMutableBufferPointer { count in
                        seeds.withUnsafeMutableBufferPointer { seed in
                            for z in 0..<s.z {
                                let cz = (z0 + z) / fz
                                for y in 0..<s.y {
                                    let rowOut = (cz * cy + y / fy) * cx
                                    let rowIn = (z * s.y + y) * s.x
                                    for x in 0..<s.x {
                                        let c = rowOut + x / fx
                                        sum[c] += v[rowIn + x]
                                        count[c] += 1
                                        let label = l[rowIn + x]
                                        if label != 0 {
                                            let old = seed[c]
                                            seed[c] = old == 0 || old == label ? label : 255
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Turns the sums into means and disagreeing seeds into unknowns.
    public static func finish(sums: inout [Float], counts: [Int32], seeds: inout [UInt8]) {
        for i in sums.indices { sums[i] = counts[i] > 0 ? sums[i] / Float(counts[i]) : 0 }
        for i in seeds.indices where seeds[i] == 255 { seeds[i] = 0 }
    }

    /// The compact class (1…K) of every voxel of full-resolution slices `z0 ..< z0 + depth`:
    /// `labels` where non-zero (the user's labels win), elsewhere the argmax of the coarse
    /// `probabilities` interpolated trilinearly between coarse voxel centres.
    public func upsampledClasses(probabilities: [[Float]], labels: Block<UInt8>, z0: Int) -> [UInt8] {
        upsampled(probabilities: probabilities, labels: labels, z0: z0, confidence: false).classes
    }

    /// `upsampledClasses` and, with `confidence`, the interpolated probability of the chosen class
    /// at each voxel (1 where `labels` gave it).
    public func upsampled(probabilities: [[Float]], labels: Block<UInt8>, z0: Int,
                          confidence wantConfidence: Bool) -> (classes: [UInt8], confidence: [Float]) {
        let s = labels.shape
        precondition(s.y == full.y && s.x == full.x)
        let k = probabilities.count
        func axis(_ n: Int, _ f: Int, _ nc: Int) -> (lo: [Int32], hi: [Int32], t: [Float]) {
            var lo = [Int32](repeating: 0, count: n), hi = lo
            var t = [Float](repeating: 0, count: n)
            for u in 0..<n {
                let (l, h, w) = Self.between(u, factor: f, coarse: nc)
                lo[u] = Int32(l)
                hi[u] = Int32(h)
                t[u] = w
            }
            return (lo, hi, t)
        }
        let ax = axis(full.x, factors.x, coarse.x), ay = axis(full.y, factors.y, coarse.y)
        let az = axis(full.z, factors.z, coarse.z)
        var out = [UInt8](repeating: 0, count: s.voxelCount)
        var confidence = [Float](repeating: 1, count: wantConfidence ? s.voxelCount : 0)
        let (cy, cx) = (coarse.y, coarse.x)
        let n = coarse.voxelCount
        var flat = [Float](repeating: 0, count: k * n)
        for c in 0..<k { flat.replaceSubrange((c * n)..<((c + 1) * n), with: probabilities[c]) }
        confidence.withUnsafeMutableBufferPointer { confidenceBuffer in
        out.withUnsafeMutableBufferPointer { outBuffer in
            labels.elements.withUnsafeBufferPointer { labelBuffer in
                flat.withUnsafeBufferPointer { flatBuffer in
                    let outPointer = SharedPointer(outBuffer), labelPointer = SharedReadPointer(labelBuffer)
                    let confidencePointer = wantConfidence ? SharedPointer(confidenceBuffer) : nil
                    let probability = SharedReadPointer(flatBuffer)
                    let rows = s.z * s.y
                    Parallel.forEachRange(rows, minimumChunk: 8) { range in
                        for row in range {
                            let z = row / s.y, y = row % s.y
                            let gz = z0 + z
                            let (z0c, z1c, tz) = (Int(az.lo[gz]), Int(az.hi[gz]), az.t[gz])
                            let (y0c, y1c, ty) = (Int(ay.lo[y]), Int(ay.hi[y]), ay.t[y])
                            let r00 = (z0c * cy + y0c) * cx, r01 = (z0c * cy + y1c) * cx
                            let r10 = (z1c * cy + y0c) * cx, r11 = (z1c * cy + y1c) * cx
                            let w00 = (1 - tz) * (1 - ty), w01 = (1 - tz) * ty, w10 = tz * (1 - ty), w11 = tz * ty
                            let base = row * s.x
                            for x in 0..<s.x {
                                let given = labelPointer[base + x]
                                if given != 0 {
                                    outPointer[base + x] = given
                                    continue
                                }
                                let x0c = Int(ax.lo[x]), x1c = Int(ax.hi[x]), tx = ax.t[x]
                                var best = 0
                                var bestValue = -Float.infinity
                                for c in 0..<k {
                                    let p = probability + c * n
                                    let a = w00 * ((1 - tx) * p[r00 + x0c] + tx * p[r00 + x1c]) + w01 * ((1 - tx) * p[r01 + x0c] + tx * p[r01 + x1c])
                                    let b = w10 * ((1 - tx) * p[r10 + x0c] + tx * p[r10 + x1c]) + w11 * ((1 - tx) * p[r11 + x0c] + tx * p[r11 + x1c])
                                    if a + b > bestValue {
                                        bestValue = a + b
                                        best = c
                                    }
                                }
                                outPointer[base + x] = UInt8(best + 1)
                                confidencePointer?[base + x] = bestValue
                            }
                        }
                    }
                }
            }
        }
        }
        return (out, confidence)
    }

    /// The coarse voxel centres either side of full-resolution coordinate `u` along one axis and the
    /// weight of the upper one (block centres at `(c + ½)·f − ½`, clamped at the ends).
    @inlinable static func between(_ u: Int, factor f: Int, coarse nc: Int) -> (Int, Int, Float) {
        let c = min(Double(nc - 1), max(0, (Double(u) - Double(f - 1) / 2) / Double(f)))
        let l = Int(c.rounded(.down))
        return (l, min(nc - 1, l + 1), Float(c - Double(l)))
    }

    /// The coarse `probabilities` (one array per class) interpolated trilinearly at region-relative
    /// full-resolution voxels, voxel-major (`voxels.count × classes`), as `upsampled` weighs them.
    public func sample(probabilities: [[Float]], at voxels: [Index3]) -> [Float] {
        let k = probabilities.count
        var out = [Float](repeating: 0, count: voxels.count * k)
        let (cy, cx) = (coarse.y, coarse.x)
        for (i, v) in voxels.enumerated() {
            let (z0, z1, tz) = Self.between(v.z, factor: factors.z, coarse: coarse.z)
            let (y0, y1, ty) = Self.between(v.y, factor: factors.y, coarse: coarse.y)
            let (x0, x1, tx) = Self.between(v.x, factor: factors.x, coarse: coarse.x)
            let r00 = (z0 * cy + y0) * cx, r01 = (z0 * cy + y1) * cx, r10 = (z1 * cy + y0) * cx, r11 = (z1 * cy + y1) * cx
            for c in 0..<k {
                let p = probabilities[c]
                let a = (1 - tz) * ((1 - ty) * ((1 - tx) * p[r00 + x0] + tx * p[r00 + x1]) + ty * ((1 - tx) * p[r01 + x0] + tx * p[r01 + x1]))
                let b = tz * ((1 - ty) * ((1 - tx) * p[r10 + x0] + tx * p[r10 + x1]) + ty * ((1 - tx) * p[r11 + x0] + tx * p[r11 + x1]))
                out[i * k + c] = a + b
            }
        }
        return out
    }

    /// The voxels a full-resolution pass should solve again: those whose upsampled class is less
    /// certain than `threshold`, differs from a label painted in the same (y, x) column on the
    /// slab's first or last slice (the labelled slices bounding a gap: this catches structures
    /// too thin for the coarse grid), or lies within `radius` voxels in-plane (1 across slices) of
    /// a voxel of another class; never voxels the user labelled. 1 = in the band.
    public static func band(classes: [UInt8], confidence: [Float], labels: Block<UInt8>, radius: Int,
                            threshold: Float) -> [UInt8] {
        let s = labels.shape
        let n = s.voxelCount
        precondition(classes.count == n && confidence.count == n)
        let plane = s.y * s.x
        // Class changes between face neighbours, and uncertain voxels.
        var edge = [UInt8](repeating: 0, count: n)
        for z in 0..<s.z {
            for y in 0..<s.y {
                let row = z * plane + y * s.x
                for x in 0..<s.x {
                    let i = row + x
                    let c = classes[i]
                    let first = labels.elements[y * s.x + x], last = labels.elements[(s.z - 1) * plane + y * s.x + x]
                    var mark = confidence[i] < threshold || (first != 0 && first != c) || (last != 0 && last != c)
                    if x + 1 < s.x, classes[i + 1] != c { mark = true; edge[i + 1] = 1 }
                    if y + 1 < s.y, classes[i + s.x] != c { mark = true; edge[i + s.x] = 1 }
                    if z + 1 < s.z, classes[i + plane] != c { mark = true; edge[i + plane] = 1 }
                    if mark { edge[i] = 1 }
                }
            }
        }
        // Dilate by `radius` along x, then y (separable square), then ±1 along z.
        var a = edge
        if radius > 0 {
            var b = [UInt8](repeating: 0, count: n)
            for row in 0..<(s.z * s.y) {
                let base = row * s.x
                var last = -Int.max / 2
                for x in 0..<s.x {
                    if a[base + x] != 0 { last = x }
                    if x - last <= radius { b[base + x] = 1 }
                }
                last = Int.max / 2
                for x in stride(from: s.x - 1, through: 0, by: -1) {
                    if a[base + x] != 0 { last = x }
                    if last - x <= radius { b[base + x] = 1 }
                }
            }
            a = [UInt8](repeating: 0, count: n)
            for z in 0..<s.z {
                for x in 0..<s.x {
                    let base = z * plane + x
                    var last = -Int.max / 2
                    for y in 0..<s.y {
                        if b[base + y * s.x] != 0 { last = y }
                        if y - last <= radius { a[base + y * s.x] = 1 }
                    }
                    last = Int.max / 2
                    for y in stride(from: s.y - 1, through: 0, by: -1) {
                        if b[base + y * s.x] != 0 { last = y }
                        if last - y <= radius { a[base + y * s.x] = 1 }
                    }
                }
            }
        }
        var out = a
        for i in 0..<n where a[i] != 0 {
            if i >= plane { out[i - plane] = 1 }
            if i + plane < n { out[i + plane] = 1 }
        }
        for i in 0..<n where labels.elements[i] != 0 { out[i] = 0 }
        return out
    }
}
