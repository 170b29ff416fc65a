/// Per-feature quantile bins (at most 256, so a bin fits a byte), as LightGBM pre-bins features:
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
                    // Quantiles of the sample values; each edge separates a value from the next distinct one.
                    var position = 0
                    for q in 1..<maxBins {
                        let v = column[min(n - 1, q * n / maxBins)]
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
