import Foundation

/// Eigenvalues of small symmetric matrices (Hessians, structure tensors), largest first,
/// as scikit-image's `hessian_matrix_eigvals` orders them.
enum SymmetricEigenvalues {
    /// Of [[a, b], [b, c]]: the explicit formula scikit-image uses.
    @inline(__always)
    static func of2(_ a: Float, _ b: Float, _ c: Float) -> (Float, Float) {
        let mean = (a + c) / 2
        let d = (a - c) / 2
        let h = (b * b + d * d).squareRoot()
        return (mean + h, mean - h)
    }

    /// Of [[a, b, c], [b, d, e], [c, e, f]], by the trigonometric closed form in Double.
    @inline(__always)
    static func of3(_ a: Float, _ b: Float, _ c: Float, _ d: Float, _ e: Float, _ f: Float) -> (Float, Float, Float) {
        let a = Double(a), b = Double(b), c = Double(c), d = Double(d), e = Double(e), f = Double(f)
        let p1 = b * b + c * c + e * e
        let q = (a + d + f) / 3
        if p1 <= 1e-30 * max(1, q * q) {
            // Diagonal: sort the diagonal.
            var x = a, y = d, z = f
            if x < y { swap(&x, &y) }
            if y < z { swap(&y, &z) }
            if x < y { swap(&x, &y) }
            return (Float(x), Float(y), Float(z))
        }
        let p2 = (a - q) * (a - q) + (d - q) * (d - q) + (f - q) * (f - q) + 2 * p1
        let p = (p2 / 6).squareRoot()
        // B = (A - qI) / p; r = det(B) / 2
        let ba = (a - q) / p, bd = (d - q) / p, bf = (f - q) / p
        let bb = b / p, bc = c / p, be = e / p
        let det = ba * (bd * bf - be * be) - bb * (bb * bf - be * bc) + bc * (bb * be - bd * bc)
        let r = min(1, max(-1, det / 2))
        let phi = arccos(r) / 3                      // in [0, π/3]
        // cos φ and cos(φ + 2π/3) = −(cos φ + √3 sin φ)/2, by Taylor series (φ ≤ 1.05: error < 1e-13).
        let (cosine, sine) = cosineAndSine(phi)
        let e1 = q + 2 * p * cosine
        let e3 = q - p * (cosine + 3.squareRoot() * sine)
        let e2 = 3 * q - e1 - e3
        return (Float(e1), Float(e2), Float(e3))
    }

    /// acos on [−1, 1] as √(1−x)·P(x) (Abramowitz & Stegun 4.4.46, error ≤ 2e-8): accurate near
    /// ±1, where repeated eigenvalues put r, and a tenth of libm's cost, which dominated 3D features.
    @inline(__always)
    static func arccos(_ x: Double) -> Double {
        let t = abs(x)
        var poly = -0.0012624911
        poly = poly * t + 0.0066700901
        poly = poly * t - 0.0170881256
        poly = poly * t + 0.0308918810
        poly = poly * t - 0.0501743046
        poly = poly * t + 0.0889789874
        poly = poly * t - 0.2145988016
        poly = poly * t + 1.5707963050
        let a = (1 - t).squareRoot() * poly
        return x >= 0 ? a : Double.pi - a
    }

    /// (cos φ, sin φ) for 0 ≤ φ ≤ π/3 by their Taylor series to φ¹⁴ and φ¹⁵.
    @inline(__always)
    static func cosineAndSine(_ phi: Double) -> (Double, Double) {
        let x2 = phi * phi
        var c = 1.0 / 87_178_291_200          // 1/14!
        c = c * x2 - 1.0 / 479_001_600        // 1/12!
        c = c * x2 + 1.0 / 3_628_800
        c = c * x2 - 1.0 / 40_320
        c = c * x2 + 1.0 / 720
        c = c * x2 - 1.0 / 24
        c = c * x2 + 1.0 / 2
        c = 1 - c * x2
        var s = -1.0 / 1_307_674_368_000      // 1/15!
        s = s * x2 + 1.0 / 6_227_020_800      // 1/13!
        s = s * x2 - 1.0 / 39_916_800
        s = s * x2 + 1.0 / 362_880
        s = s * x2 - 1.0 / 5_040
        s = s * x2 + 1.0 / 120
        s = s * x2 - 1.0 / 6
        s = phi * (1 + s * x2)
        return (c, s)
    }
}
