/// An indexed triangle mesh in micrometres: shared vertices and counter-clockwise triangles
/// (seen from outside), so each edge of a closed surface is used once in each direction.
public struct TriangleMesh: Sendable, Equatable {
    /// Vertex positions (x, y, z) in micrometres; x runs along the scan's columns, z across slices.
    public var positions: [SIMD3<Float>]
    /// Triangles as three indices into `positions`, wound so their normals point outwards.
    public var triangles: [SIMD3<UInt32>]

    public init(positions: [SIMD3<Float>] = [], triangles: [SIMD3<UInt32>] = []) {
        self.positions = positions
        self.triangles = triangles
    }

    /// Total triangle area in µm².
    public var surfaceArea: Double {
        var sum = 0.0
        for t in triangles {
            let (a, b, c) = corners(t)
            let n = cross(b - a, c - a)
            sum += (n * n).sum().squareRoot() / 2
        }
        return sum
    }

    /// Enclosed volume in µm³ (divergence theorem; positive for an outward-wound closed surface).
    public var enclosedVolume: Double {
        var sum = 0.0
        for t in triangles {
            let (a, b, c) = corners(t)
            sum += (a * cross(b, c)).sum()
        }
        return sum / 6
    }

    /// The unit normal of triangle `t` (zero for a degenerate one).
    public func normal(of t: SIMD3<UInt32>) -> SIMD3<Float> {
        let (a, b, c) = corners(t)
        let n = cross(b - a, c - a)
        let length = (n * n).sum().squareRoot()
        return length > 0 ? SIMD3<Float>(n / length) : .zero
    }

    @inline(__always) func corners(_ t: SIMD3<UInt32>) -> (SIMD3<Double>, SIMD3<Double>, SIMD3<Double>) {
        (SIMD3<Double>(positions[Int(t.x)]), SIMD3<Double>(positions[Int(t.y)]), SIMD3<Double>(positions[Int(t.z)]))
    }
}

@inline(__always) func cross(_ u: SIMD3<Double>, _ v: SIMD3<Double>) -> SIMD3<Double> {
    SIMD3(u.y * v.z - u.z * v.y, u.z * v.x - u.x * v.z, u.x * v.y - u.y * v.x)
}
