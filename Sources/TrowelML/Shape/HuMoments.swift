import Foundation

/// Hu's seven moment invariants of a 2D image (a mask or grey values), as scikit-image computes
/// them: `moments_hu(moments_normalized(moments_central(image)))`, rows as the first axis.
/// Invariant to translation, scale and rotation (the seventh changes sign under reflection).
public enum HuMoments {
    /// The seven invariants of a `height` × `width` image, row-major; zeros for an empty image.
    public static func of(_ values: [Float], height: Int, width: Int) -> [Double] {
        precondition(values.count == height * width, "HuMoments: \(values.count) values for \(height)×\(width)")
        var m00 = 0.0, m10 = 0.0, m01 = 0.0
        for r in 0..<height {
            for c in 0..<width {
                let v = Double(values[r * width + c])
                if v == 0 { continue }
                m00 += v; m10 += Double(r) * v; m01 += Double(c) * v
            }
        }
        guard m00 > 0 else { return [Double](repeating: 0, count: 7) }
        let rc = m10 / m00, cc = m01 / m00
        // Central moments mu[p][q], p the row power, q the column power, p + q ≤ 3.
        var mu = [[Double]](repeating: [Double](repeating: 0, count: 4), count: 4)
        for r in 0..<height {
            let dr = Double(r) - rc
            for c in 0..<width {
                let v = Double(values[r * width + c])
                if v == 0 { continue }
                let dc = Double(c) - cc
                let dr2 = dr * dr, dc2 = dc * dc
                mu[2][0] += dr2 * v; mu[0][2] += dc2 * v; mu[1][1] += dr * dc * v
                mu[3][0] += dr2 * dr * v; mu[0][3] += dc2 * dc * v
                mu[2][1] += dr2 * dc * v; mu[1][2] += dr * dc2 * v
            }
        }
        func nu(_ p: Int, _ q: Int) -> Double { mu[p][q] / Foundation.pow(m00, Double(p + q) / 2 + 1) }
        var t0 = nu(3, 0) + nu(1, 2), t1 = nu(2, 1) + nu(0, 3)
        var q0 = t0 * t0, q1 = t1 * t1
        let n4 = 4 * nu(1, 1), s = nu(2, 0) + nu(0, 2), d = nu(2, 0) - nu(0, 2)
        var hu = [Double](repeating: 0, count: 7)
        hu[0] = s
        hu[1] = d * d + n4 * nu(1, 1)
        hu[3] = q0 + q1
        hu[5] = d * (q0 - q1) + n4 * t0 * t1
        t0 *= q0 - 3 * q1
        t1 *= 3 * q0 - q1
        q0 = nu(3, 0) - 3 * nu(1, 2)
        q1 = 3 * nu(2, 1) - nu(0, 3)
        hu[2] = q0 * q0 + q1 * q1
        hu[4] = q0 * t0 + q1 * t1
        hu[6] = q1 * t0 - q0 * t1
        return hu
    }

    /// Log-scaled invariants, −sign(h)·log10|h| (0 for 0): comparable magnitudes for distances.
    public static func logScaled(_ hu: [Double]) -> [Double] {
        hu.map { h in h == 0 ? 0 : -(h < 0 ? -1 : 1) * Foundation.log10(Swift.abs(h)) }
    }
}
