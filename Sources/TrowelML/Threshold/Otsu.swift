import Foundation

/// Otsu's threshold and its multi-level form, computed exactly as scikit-image's
/// `threshold_otsu` and `threshold_multiotsu` compute them (the same histogram, the same single
/// precision where scikit-image uses it, the same tie-breaking), so a threshold Trowel prints is the
/// one a Python user gets. Foreground is `value > threshold`.
public enum Otsu {
    /// `threshold_otsu`: the bin centre maximising the between-class variance. A histogram with
    /// one occupied bin returns that bin's value (scikit-image returns the image's only value).
    public static func threshold(_ h: IntensityHistogram) throws -> Double {
        let counts = h.counts.map { Float($0) }, centers = h.centers
        let n = counts.count
        guard h.total > 0 else { throw ThresholdError.empty }
        let occupied = counts.indices.filter { counts[$0] > 0 }
        if occupied.count == 1 { return centers[occupied[0]] }
        if n < 2 { return centers[0] }
        var w1 = [Float](repeating: 0, count: n), w2 = [Float](repeating: 0, count: n)
        var m1 = [Double](repeating: 0, count: n), m2 = [Double](repeating: 0, count: n)
        var acc: Float = 0, accM: Double = 0
        for i in 0..<n {
            acc += counts[i]; w1[i] = acc
            accM += Double(counts[i]) * centers[i]; m1[i] = accM / Double(acc)
        }
        acc = 0; accM = 0
        for i in stride(from: n - 1, through: 0, by: -1) {
            acc += counts[i]; w2[i] = acc
            accM += Double(counts[i]) * centers[i]; m2[i] = accM / Double(acc)
        }
        var best = 0, bestValue = -Double.infinity
        for i in 0..<(n - 1) {
            let d = m1[i] - m2[i + 1]
            let v = Double(w1[i] * w2[i + 1]) * d * d
            // numpy's argmax: the first maximum; NaN (empty sides) counts as a maximum there too.
            if v.isNaN { if bestValue.isNaN { continue }; best = i; bestValue = .nan; break }
            if v > bestValue { best = i; bestValue = v }
        }
        return centers[best]
    }

    /// `threshold_multiotsu(classes:)`: `classes − 1` thresholds (bin centres), ascending.
    /// Searches every combination as scikit-image does while there are at most 50 million of them;
    /// beyond (e.g. 16-bit data, many classes) an exact dynamic programme finds the same maximum.
    public static func thresholds(_ h: IntensityHistogram, classes: Int) throws -> [Double] {
        guard (2...8).contains(classes) else { throw ThresholdError.badClassCount(classes) }
        let total = h.total
        guard total > 0 else { throw ThresholdError.empty }
        let prob = h.counts.map { Float($0 / total) }
        let occupied = prob.indices.filter { prob[$0] > 0 }
        if occupied.count < classes { throw ThresholdError.tooFewValues(found: occupied.count, classes: classes) }
        if occupied.count == classes { return occupied.dropLast().map { h.centers[$0] } }
        let m = classes - 1, n = prob.count
        let indices = combinations(n, m) <= 50_000_000 ? exhaustive(prob, thresholds: m) : dynamic(prob, thresholds: m)
        return indices.map { h.centers[$0] }
    }

    /// Single-precision zeroth and first cumulative moments, as scikit-image's Cython builds them.
    static func moments(_ prob: [Float]) -> (zeroth: [Float], first: [Float]) {
        var p = [Float](repeating: 0, count: prob.count), s = p
        p[0] = prob[0]; s[0] = prob[0]
        for i in 1..<prob.count {
            p[i] = p[i - 1] + prob[i]
            s[i] = s[i - 1] + Float(i) * prob[i]
        }
        return (p, s)
    }

    /// The between-class term of bins `i...j` (scikit-image's lookup table entry).
    @inline(__always)
    static func term(_ p: UnsafeBufferPointer<Float>, _ s: UnsafeBufferPointer<Float>, _ i: Int, _ j: Int) -> Float {
        if i == 0 {
            guard j > 0, p[j] > 0 else { return 0 }
            return s[j] * s[j] / p[j]
        }
        let w = p[j] - p[i - 1]
        guard w > 0 else { return 0 }
        let mu = s[j] - s[i - 1]
        return mu * mu / w
    }

    /// Brute force over threshold combinations in scikit-image's order (first strict maximum wins).
    static func exhaustive(_ prob: [Float], thresholds m: Int) -> [Int] {
        let n = prob.count
        let (zeroth, first) = moments(prob)
        var current = [Int](repeating: 0, count: m), best = current
        var sigmaMax: Float = 0
        zeroth.withUnsafeBufferPointer { p in
            first.withUnsafeBufferPointer { s in
                func visit(_ start: Int, _ k: Int) {
                    if k < m {
                        var idx = start
                        while idx < n - m + k {
                            current[k] = idx
                            visit(idx + 1, k + 1)
                            idx += 1
                        }
                        return
                    }
                    var sigma = term(p, s, 0, current[0]) + term(p, s, current[m - 1] + 1, n - 1)
                    for t in 0..<(m - 1) { sigma += term(p, s, current[t] + 1, current[t + 1]) }
                    if sigma > sigmaMax { sigmaMax = sigma; best = current }
                }
                visit(0, 0)
            }
        }
        return best
    }

    /// The same maximum by dynamic programming over class ends (O(m·n²)), in double precision.
    static func dynamic(_ prob: [Float], thresholds m: Int) -> [Int] {
        let n = prob.count
        let (zeroth, first) = moments(prob)
        // best[k][j]: the largest sum of k + 1 class terms covering bins 0...j.
        var best = [[Double]](repeating: [Double](repeating: -.infinity, count: n), count: m + 1)
        var choice = [[Int]](repeating: [Int](repeating: 0, count: n), count: m + 1)
        zeroth.withUnsafeBufferPointer { p in
            first.withUnsafeBufferPointer { s in
                for j in 0..<n { best[0][j] = Double(term(p, s, 0, j)) }
                for k in 1...m {
                    for j in k..<n {
                        var bestValue = -Double.infinity, arg = k - 1
                        for t in (k - 1)..<j {
                            let v = best[k - 1][t] + Double(term(p, s, t + 1, j))
                            if v > bestValue { bestValue = v; arg = t }
                        }
                        best[k][j] = bestValue
                        choice[k][j] = arg
                    }
                }
            }
        }
        var out = [Int](repeating: 0, count: m)
        var j = n - 1
        for k in stride(from: m, through: 1, by: -1) {
            j = choice[k][j]
            out[k - 1] = j
        }
        return out
    }

    /// n choose k, saturating.
    static func combinations(_ n: Int, _ k: Int) -> Double {
        var c = 1.0
        for i in 0..<k { c *= Double(n - i) / Double(i + 1) }
        return c
    }

    /// Region 0…thresholds.count of `v` as scikit-image's examples assign it: with one threshold
    /// `v > t` is foreground (`threshold_otsu`); with several, numpy's `digitize` (`v >= t` moves up).
    public static func region(of v: Double, thresholds: [Double]) -> Int {
        if thresholds.count == 1 { return v > thresholds[0] ? 1 : 0 }
        var r = 0
        for t in thresholds where v >= t { r += 1 }
        return r
    }
}
