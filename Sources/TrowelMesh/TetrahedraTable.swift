/// The case table of marching tetrahedra over the Kuhn split of each cube into six tetrahedra.
///
/// Every tetrahedron shares the cube's main diagonal and each cube face is split along the
/// diagonal from its lowest corner, so neighbouring cubes split shared faces the same way: the
/// surface is the level set of one piecewise-linear function and so always closed and manifold,
/// with none of the ambiguous faces of the classic marching-cubes table. The table is derived
/// here from that geometry (not typed in), and every triangle is wound so its normal points out
/// of the mask (from 1 towards 0).
struct TetrahedraTable: Sendable {
    /// Corner `c` of a cube sits at offset (x: c & 1, y: c >> 1 & 1, z: c >> 2 & 1).
    static func offset(ofCorner c: Int) -> (x: Int, y: Int, z: Int) { (c & 1, c >> 1 & 1, c >> 2 & 1) }

    /// The 19 edges of the split: from corner `lower` to corner `lower | direction` (a superset),
    /// so an edge is named globally by its lower grid point and its direction bits (1…7).
    let edgeLower: [UInt8]
    let edgeDirection: [UInt8]
    /// Triangles of case `k` (bit c set = corner c inside) are the local edge triples
    /// `triangleEdges[3 * t ..< 3 * t + 3]` for `t` in `caseStart[k] ..< caseStart[k + 1]`.
    let caseStart: [Int32]
    let triangleEdges: [UInt8]

    static let shared = TetrahedraTable()

    private init() {
        var lower: [UInt8] = [], direction: [UInt8] = []
        var edgeIndex = [[Int]](repeating: [Int](repeating: -1, count: 8), count: 8)
        for b in 0..<8 {
            for a in 0..<8 where a != b && a & b == a {
                edgeIndex[a][b] = lower.count
                edgeIndex[b][a] = lower.count
                lower.append(UInt8(a))
                direction.append(UInt8(a ^ b))
            }
        }
        // Six tetrahedra, one per order in which the path from corner 0 to corner 7 adds x, y, z.
        let axes = [1, 2, 4]
        var tetrahedra: [[Int]] = []
        for p in [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]] {
            tetrahedra.append([0, axes[p[0]], axes[p[0]] | axes[p[1]], 7])
        }
        func point(_ c: Int) -> SIMD3<Double> {
            let o = Self.offset(ofCorner: c)
            return SIMD3(Double(o.x), Double(o.y), Double(o.z))
        }
        func midpoint(_ e: Int) -> SIMD3<Double> {
            (point(Int(lower[e])) + point(Int(lower[e] | direction[e]))) / 2
        }
        var starts: [Int32] = [0]
        var triangles: [UInt8] = []
        for k in 0..<256 {
            for tet in tetrahedra {
                let inside = tet.filter { k >> $0 & 1 == 1 }
                let outside = tet.filter { k >> $0 & 1 == 0 }
                var faces: [[Int]] = []
                switch inside.count {
                case 1, 3:
                    let lone = inside.count == 1 ? inside[0] : outside[0]
                    let others = tet.filter { $0 != lone }
                    faces = [others.map { edgeIndex[lone][$0] }]
                case 2:
                    let (p, q, r, s) = (inside[0], inside[1], outside[0], outside[1])
                    let quad = [edgeIndex[p][r], edgeIndex[p][s], edgeIndex[q][s], edgeIndex[q][r]]
                    faces = [[quad[0], quad[1], quad[2]], [quad[0], quad[2], quad[3]]]
                default:
                    break
                }
                // Outward = from the inside corners towards the outside ones.
                let centreIn = inside.map(point).reduce(.zero, +) / Double(max(1, inside.count))
                let centreOut = outside.map(point).reduce(.zero, +) / Double(max(1, outside.count))
                for var f in faces {
                    let (a, b, c) = (midpoint(f[0]), midpoint(f[1]), midpoint(f[2]))
                    let u = b - a, v = c - a
                    let normal = SIMD3(u.y * v.z - u.z * v.y, u.z * v.x - u.x * v.z, u.x * v.y - u.y * v.x)
                    if (normal * (centreOut - centreIn)).sum() < 0 { f.swapAt(1, 2) }
                    triangles += f.map { UInt8($0) }
                }
            }
            starts.append(Int32(triangles.count / 3))
        }
        edgeLower = lower
        edgeDirection = direction
        caseStart = starts
        triangleEdges = triangles
    }
}
