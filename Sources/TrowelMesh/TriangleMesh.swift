/// An indexed triangle mesh in micrometres: shared vertices and counter-clockwise triangles
/// (seen from outside), so each edge of a closed surface is used once in each direction.
///
/// Holds the whole surface, which smoothing and decimation need; plain export streams instead
/// (`MeshWriter.writeSurface`), since this mesh grows with the scan (about 40 bytes a triangle).
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
            sum += Self.area(a, b, c)
        }
        return sum
    }

    /// Enclosed volume in µm³ (divergence theorem; positive for an outward-wound closed surface).
    public var enclosedVolume: Double {
        var sum = 0.0
        for t in triangles {
            let (a, b, c) = corners(t)
            sum += Self.volumeTimesSix(a, b, c)
        }
        return sum / 6
    }

    /// Counts, area and volume, as the streaming writers report them.
    public var summary: MeshSummary {
        var summary = MeshSummary()
        summary.vertices = positions.count
        for t in triangles { summary.add(positions[Int(t.x)], positions[Int(t.y)], positions[Int(t.z)]) }
        return summary
    }

    /// The unit normal of triangle `t` (zero for a degenerate one).
    public func normal(of t: SIMD3<UInt32>) -> SIMD3<Float> {
        Self.normal(positions[Int(t.x)], positions[Int(t.y)], positions[Int(t.z)])
    }

    /// The unit normal of the triangle `a`, `b`, `c` (zero for a degenerate one), computed in
    /// double precision; shared by the in-memory and the streaming STL writers so they agree bit for bit.
    @inline(__always) static func normal(_ a: SIMD3<Float>, _ b: SIMD3<Float>, _ c: SIMD3<Float>) -> SIMD3<Float> {
        let (a, b, c) = (SIMD3<Double>(a), SIMD3<Double>(b), SIMD3<Double>(c))
        let n = cross(b - a, c - a)
        let length = (n * n).sum().squareRoot()
        return length > 0 ? SIMD3<Float>(n / length) : .zero
    }

    /// The area of the triangle `a`, `b`, `c`.
    @inline(__always) static func area(_ a: SIMD3<Double>, _ b: SIMD3<Double>, _ c: SIMD3<Double>) -> Double {
        let n = cross(b - a, c - a)
        return (n * n).sum().squareRoot() / 2
    }

    /// Six times the signed volume of the tetrahedron (origin, `a`, `b`, `c`).
    @inline(__always) static func volumeTimesSix(_ a: SIMD3<Double>, _ b: SIMD3<Double>, _ c: SIMD3<Double>) -> Double {
        (a * cross(b, c)).sum()
    }

    @inline(__always) func corners(_ t: SIMD3<UInt32>) -> (SIMD3<Double>, SIMD3<Double>, SIMD3<Double>) {
        (SIMD3<Double>(positions[Int(t.x)]), SIMD3<Double>(positions[Int(t.y)]), SIMD3<Double>(positions[Int(t.z)]))
    }
}

/// The whole mesh as a sink: what smoothing and decimation start from.
extension TriangleMesh: MeshSink {
    public static var wantsCorners: Bool { false }

    public mutating func addVertex(_ position: SIMD3<Float>) { positions.append(position) }

    public mutating func addTriangle(_ triangle: SIMD3<UInt32>, corners: (SIMD3<Float>, SIMD3<Float>, SIMD3<Float>)) {
        triangles.append(triangle)
    }

    public mutating func endBlock() {}
}

@inline(__always) func cross(_ u: SIMD3<Double>, _ v: SIMD3<Double>) -> SIMD3<Double> {
    SIMD3(u.y * v.z - u.z * v.y, u.z * v.x - u.x * v.z, u.x * v.y - u.y * v.x)
}
