/// Per-feature bins (at most 256, so a bin fits a byte; edges at quantiles and evenly over the
/// range), as LightGBM pre-bins features:
/// split search then builds small histograms instead of sorting samples at every node.
/// Bin b of feature f holds values in (edges[f][b-1], edges[f][b]]; so `x <= edges[f][b]` ⟺ bin ≤ b.
struct FeatureBinning: Sendable {
    /// Sorted, distinct split candidates per feature: midpoints between neighbouring sample values.
    let edges: [[Float]]

    /// Bins from the samples' values (all distinct values when there are at most 256).
    init(samples: UnsafeBufferPointer<Float>, count n: Int, featureCount: Int, maxBins: Int = 256) {
        var edges = [[Float]](repeating: [], count: featureCount)
        let shared = SharedReadPointer(samples)
        edges.withUnsafeMutableBufferPointer { out in
            let target = SharedPointer(out)
            Parallel.forEach(featureCount) { f in
                var column = [Float](repeating: 0, count: n)
                for i in 0..<n { column[i] = shared[i * featureCount + f] }
                column.sort()
                // Distinct values.
                var distinct: [Float] = []
                distinct.reserveCapacity(min(n, 4096))
                for v in column where v == v {   // skip NaN
                    if distinct.last != v { distinct.append(v) }
                }
                var e: [Float] = []
                @inline(__always) func midpoint(_ a: Float, _ b: Float) -> Float {
                    let m = a + (b - a) / 2
                    return m < b ? m : a
                }
                if distinct.count <= maxBins {
                    for i in 0..<max(0, distinct.count - 1) { e.append(midpoint(distinct[i], distinct[i + 1])) }
                } else {
                    // Half the candidates at quantiles of the samples, half evenly spaced over their
                    // range; each edge separates the first value at or above a candidate from the
                    // next distinct one. Quantiles alone leave wide bins where samples are few: on
                    // a real CT mostly of soft tissue, the raw intensity's 256 quantile bins put no
                    // edge within 13 HU of the bone threshold and cost 0.015 F1 (scikit-learn's
                    // forest on the same bins lost the same); this mix closed 90 % of that gap.
                    let half = maxBins / 2
                    var candidates: [Float] = []
                    candidates.reserveCapacity(2 * half)
                    for q in 1..<half { candidates.append(column[min(n - 1, q * n / half)]) }
                    let lo = distinct[0], hi = distinct[distinct.count - 1]
                    for k in 1..<half { candidates.append(lo + (hi - lo) * (Float(k) / Float(half))) }
                    candidates.sort()
                    var position = 0
                    for v in candidates {
                        while position < distinct.count - 1 && distinct[position] < v { position += 1 }
                        if position >= distinct.count - 1 { break }
                        let edge = midpoint(distinct[position], distinct[position + 1])
                        if e.last.map({ $0 < edge }) ?? true { e.append(edge) }
                    }
                }
                target[f] = e
            }
        }
        self.edges = edges
    }

    /// Number of bins of feature `f`.
    func binCount(_ f: Int) -> Int { edges[f].count + 1 }

    /// Bin of `x` for feature `f`: the number of edges below `x`.
    @inline(__always)
    static func bin(_ x: Float, _ e: UnsafeBufferPointer<Float>) -> UInt8 {
        var lo = 0, hi = e.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if e[mid] < x { lo = mid + 1 } else { hi = mid }
        }
        return UInt8(truncatingIfNeeded: lo)
    }

    /// The samples' bins, feature-major: `result[f * n + i]`.
    func binned(_ samples: UnsafeBufferPointer<Float>, count n: Int, featureCount: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: n * featureCount)
        let src = SharedReadPointer(samples)
        out.withUnsafeMutableBufferPointer { buffer in
            let dst = SharedPointer(buffer)
            Parallel.forEach(featureCount) { f in
                edges[f].withUnsafeBufferPointer { e in
                    for i in 0..<n { dst[f * n + i] = FeatureBinning.bin(src[i * featureCount + f], e) }
                }
            }
        }
        return out
    }
}
