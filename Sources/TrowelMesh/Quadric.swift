/// The sum of squared distances to a set of planes, as a symmetric 4×4 matrix (Garland–Heckbert):
/// the cost of moving a vertex, accumulated as edges collapse.
struct Quadric {
    // Upper triangle of the matrix, row by row.
    var a00 = 0.0, a01 = 0.0, a02 = 0.0, a03 = 0.0
    var a11 = 0.0, a12 = 0.0, a13 = 0.0
    var a22 = 0.0, a23 = 0.0
    var a33 = 0.0

    static let zero = Quadric()

    /// The quadric of the plane through `point` with unit `normal`.
    init(normal n: SIMD3<Double>, point: SIMD3<Double>) {
        let d = -(n * point).sum()
        a00 = n.x * n.x; a01 = n.x * n.y; a02 = n.x * n.z; a03 = n.x * d
        a11 = n.y * n.y; a12 = n.y * n.z; a13 = n.y * d
        a22 = n.z * n.z; a23 = n.z * d
        a33 = d * d
    }

    init() {}

    static func + (p: Quadric, q: Quadric) -> Quadric {
        var r = p
        r.a00 += q.a00; r.a01 += q.a01; r.a02 += q.a02; r.a03 += q.a03
        r.a11 += q.a11; r.a12 += q.a12; r.a13 += q.a13
        r.a22 += q.a22; r.a23 += q.a23
        r.a33 += q.a33
        return r
    }

    /// Sum of squared distances from `p` to the planes.
    func error(at p: SIMD3<Double>) -> Double {
        let (x, y, z) = (p.x, p.y, p.z)
        return a00 * x * x + 2 * a01 * x * y + 2 * a02 * x * z + 2 * a03 * x
            + a11 * y * y + 2 * a12 * y * z + 2 * a13 * y
            + a22 * z * z + 2 * a23 * z + a33
    }
}
