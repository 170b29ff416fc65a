/// Taubin λ/μ smoothing: each iteration is a shrinking Laplacian step (λ) followed by an inflating
/// one (μ), which removes the voxel staircase without the shrinkage of plain Laplacian smoothing.
/// Only positions move, so a closed manifold mesh stays closed and manifold.
public struct TaubinSmoothing: Sendable {
    public var iterations: Int
    public var lambda: Double
    public var mu: Double

    public init(iterations: Int, lambda: Double = 0.5, mu: Double = -0.53) throws(MeshError) {
        guard (0...1000).contains(iterations) else { throw .badSmoothing(iterations) }
        self.iterations = iterations
        self.lambda = lambda
        self.mu = mu
    }

    /// `mesh` with each vertex moved towards (λ) and then away from (μ) the mean of its neighbours.
    public func smoothed(_ mesh: TriangleMesh) -> TriangleMesh {
        (try? smoothed(mesh, isCancelled: { false })) ?? mesh
    }

    /// As `smoothed(_:)`, polling `isCancelled` once per iteration (Ctrl-C in the CLI).
    public func smoothed(_ mesh: TriangleMesh, isCancelled: () -> Bool) throws(MeshError) -> TriangleMesh {
        if iterations == 0 || mesh.triangles.isEmpty { return mesh }
        let (start, neighbours) = Self.neighbourLists(mesh)
        var p = mesh.positions.map { SIMD3<Double>($0) }
        var next = p
        for _ in 0..<iterations {
            if isCancelled() { throw .cancelled }
            for factor in [lambda, mu] {
                for i in p.indices where start[i] < start[i + 1] {
                    var mean = SIMD3<Double>.zero
                    for j in start[i]..<start[i + 1] { mean += p[Int(neighbours[j])] }
                    mean /= Double(start[i + 1] - start[i])
                    next[i] = p[i] + factor * (mean - p[i])
                }
                swap(&p, &next)
            }
        }
        var out = mesh
        out.positions = p.map { SIMD3<Float>($0) }
        return out
    }

    /// Each vertex's distinct edge neighbours, as one array sliced by `start` (CSR).
    static func neighbourLists(_ mesh: TriangleMesh) -> (start: [Int], neighbours: [UInt32]) {
        var edges = [UInt64]()
        edges.reserveCapacity(mesh.triangles.count * 6)
        for t in mesh.triangles {
            for (a, b) in [(t.x, t.y), (t.y, t.z), (t.z, t.x)] {
                edges.append(UInt64(a) << 32 | UInt64(b))
                edges.append(UInt64(b) << 32 | UInt64(a))
            }
        }
        edges.sort()
        var start = [Int](repeating: 0, count: mesh.positions.count + 1)
        var neighbours = [UInt32]()
        neighbours.reserveCapacity(edges.count / 2)
        var previous = UInt64.max
        for e in edges where e != previous {
            previous = e
            start[Int(e >> 32) + 1] += 1
            neighbours.append(UInt32(truncatingIfNeeded: e))
        }
        for i in 0..<mesh.positions.count { start[i + 1] += start[i] }
        return (start, neighbours)
    }
}
