import Foundation

/// Windowed structural similarity (Wang et al. 2004) as scikit-image's `structural_similarity(a,
/// b, gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=R)` computes it:
/// Gaussian-weighted local means, variances and covariance (window radius 5, weights truncated at
/// 3.5σ), constants (K1·R)² and (K2·R)², averaged over the pixels at least the window radius from
/// the border. With a validity mask, the average is over pixels whose whole window is valid.
public enum StructuralSimilarity {
    public static let sigma = 1.5
    public static let k1 = 0.01
    public static let k2 = 0.03
    /// Window radius: scipy's `int(truncate · σ + 0.5)` with scikit-image's truncate 3.5.
    public static let radius = Int(3.5 * sigma + 0.5)

    /// The mean SSIM of two `height` × `width` images (row-major), or nil when no pixel has a
    /// whole window inside the image (and inside `valid`, when given).
    public static func mean(_ a: [Double], _ b: [Double], height: Int, width: Int, dataRange: Double,
                            valid: [Bool]? = nil) -> Double? {
        precondition(a.count == height * width && b.count == a.count, "StructuralSimilarity: sizes differ")
        let n = a.count
        var inside = [Double](repeating: 1, count: n)
        var xa = a, xb = b
        if let valid {
            for i in 0..<n where !valid[i] { inside[i] = 0; xa[i] = 0; xb[i] = 0 }
        }
        var aa = [Double](repeating: 0, count: n), bb = aa, ab = aa
        for i in 0..<n { aa[i] = xa[i] * xa[i]; bb[i] = xb[i] * xb[i]; ab[i] = xa[i] * xb[i] }
        let kernel = weights()
        let ua = smooth(xa, height, width, kernel), ub = smooth(xb, height, width, kernel)
        let uaa = smooth(aa, height, width, kernel), ubb = smooth(bb, height, width, kernel), uab = smooth(ab, height, width, kernel)
        let cover = valid == nil ? nil : smooth(inside, height, width, kernel)
        let c1 = (k1 * dataRange) * (k1 * dataRange), c2 = (k2 * dataRange) * (k2 * dataRange)
        var sum = 0.0, count = 0
        let r = radius
        guard height > 2 * r, width > 2 * r else { return nil }
        for y in r..<(height - r) {
            for x in r..<(width - r) {
                let i = y * width + x
                if let cover, cover[i] < 1 - 1e-9 { continue }
                let va = uaa[i] - ua[i] * ua[i], vb = ubb[i] - ub[i] * ub[i], vab = uab[i] - ua[i] * ub[i]
                let s = (2 * ua[i] * ub[i] + c1) * (2 * vab + c2) / ((ua[i] * ua[i] + ub[i] * ub[i] + c1) * (va + vb + c2))
                sum += s
                count += 1
            }
        }
        return count > 0 ? sum / Double(count) : nil
    }

    /// The normalised 1D Gaussian weights, −radius…radius.
    static func weights() -> [Double] {
        let w = (-radius...radius).map { Foundation.exp(-0.5 * Double($0 * $0) / (sigma * sigma)) }
        let total = w.reduce(0, +)
        return w.map { $0 / total }
    }

    /// Separable convolution with `kernel`, zero outside the image (only whole windows are used).
    static func smooth(_ v: [Double], _ height: Int, _ width: Int, _ kernel: [Double]) -> [Double] {
        let r = kernel.count / 2
        var tmp = [Double](repeating: 0, count: v.count), out = tmp
        for y in 0..<height {
            let row = y * width
            for x in 0..<width {
                var s = 0.0
                for k in max(-r, -x)...min(r, width - 1 - x) { s += kernel[k + r] * v[row + x + k] }
                tmp[row + x] = s
            }
        }
        for y in 0..<height {
            for x in 0..<width {
                var s = 0.0
                for k in max(-r, -y)...min(r, height - 1 - y) { s += kernel[k + r] * tmp[(y + k) * width + x] }
                out[y * width + x] = s
            }
        }
        return out
    }
}
