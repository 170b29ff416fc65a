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
        let phi = Foundation.acos(r) / 3
        let e1 = q + 2 * p * Foundation.cos(phi)
        let e3 = q + 2 * p * Foundation.cos(phi + 2 * Double.pi / 3)
        let e2 = 3 * q - e1 - e3
        return (Float(e1), Float(e2), Float(e3))
    }
}
