/// The mutable mesh an `EdgeCollapseDecimation` works on.
struct CollapseState {
    var position: [SIMD3<Double>]
    var faces: [SIMD3<Int32>]
    var faceAlive: [Bool]
    var around: [[Int32]]
    var quadric: [Quadric]
    var stamp: [UInt32]
    var vertexAlive: [Bool]
    var liveFaces: Int
    var queue = CollapseQueue()

    init(_ mesh: TriangleMesh) {
        position = mesh.positions.map { SIMD3<Double>($0) }
        faces = mesh.triangles.map { SIMD3<Int32>(truncatingIfNeeded: $0) }
        faceAlive = [Bool](repeating: true, count: faces.count)
        around = [[Int32]](repeating: [], count: position.count)
        quadric = [Quadric](repeating: .zero, count: position.count)
        stamp = [UInt32](repeating: 0, count: position.count)
        vertexAlive = [Bool](repeating: true, count: position.count)
        liveFaces = faces.count
        for (f, t) in faces.enumerated() {
            let (a, b, c) = (position[Int(t.x)], position[Int(t.y)], position[Int(t.z)])
            let n = cross(b - a, c - a)
            let length = (n * n).sum().squareRoot()
            let q = length > 0 ? Quadric(normal: n / length, point: a) : .zero
            for i in 0..<3 {
                around[Int(t[i])].append(Int32(f))
                quadric[Int(t[i])] = quadric[Int(t[i])] + q
            }
        }
        queue.reserve(faces.count * 2)
        for t in faces {
            for (a, b) in [(t.x, t.y), (t.y, t.z), (t.z, t.x)] where a < b { push(Int(a), Int(b)) }
        }
    }

    /// Where collapsing u–v puts the merged vertex (u, v or the midpoint, whichever errs least).
    func placement(_ u: Int, _ v: Int) -> (point: SIMD3<Double>, error: Double) {
        let q = quadric[u] + quadric[v]
        var best = (point: (position[u] + position[v]) / 2, error: 0.0)
        best.error = q.error(at: best.point)
        for p in [position[u], position[v]] {
            let e = q.error(at: p)
            if e < best.error { best = (p, e) }
        }
        return best
    }

    mutating func push(_ u: Int, _ v: Int) {
        let d = position[u] - position[v]
        // Ties (flat areas have zero error) go to the shortest edge.
        let cost = placement(u, v).error + 1e-3 * (d * d).sum()
        queue.push(.init(cost: cost, u: Int32(u), v: Int32(v), stampU: stamp[u], stampV: stamp[v]))
    }

    func neighbours(_ u: Int) -> [Int32] {
        var out: [Int32] = []
        for f in around[u] {
            let t = faces[Int(f)]
            for i in 0..<3 where Int(t[i]) != u && !out.contains(t[i]) { out.append(t[i]) }
        }
        return out
    }

    /// Collapses edges until `target` faces remain or none can go; false when cancelled.
    mutating func collapse(until target: Int, isCancelled: () -> Bool) -> Bool {
        var popped = 0
        while liveFaces > target, let e = queue.pop() {
            popped += 1
            if popped & 0xFFF == 0 && isCancelled() { return false }
            let u = Int(e.u), v = Int(e.v)
            guard vertexAlive[u], vertexAlive[v], stamp[u] == e.stampU, stamp[v] == e.stampV else { continue }
            _ = tryCollapse(u, v)
        }
        return true
    }

    /// Merges v into u when that keeps the mesh a closed manifold without flipped triangles.
    mutating func tryCollapse(_ u: Int, _ v: Int) -> Bool {
        let shared = around[u].filter { f in let t = faces[Int(f)]; return t.x == Int32(v) || t.y == Int32(v) || t.z == Int32(v) }
        guard shared.count == 2 else { return false }
        let opposite = shared.map { f -> Int32 in
            let t = faces[Int(f)]
            return t.x != Int32(u) && t.x != Int32(v) ? t.x : (t.y != Int32(u) && t.y != Int32(v) ? t.y : t.z)
        }
        guard opposite[0] != opposite[1] else { return false }
        let nu = neighbours(u), nv = neighbours(v)
        let common = nu.filter { nv.contains($0) }
        guard common.count == 2, common.contains(opposite[0]), common.contains(opposite[1]) else { return false }
        guard around[Int(opposite[0])].count > 3, around[Int(opposite[1])].count > 3,
              around[u].count + around[v].count - 4 >= 3 else { return false }
        let target = placement(u, v).point
        for f in around[u] + around[v] where !shared.contains(f) {
            let t = faces[Int(f)]
            let corners = (0..<3).map { position[Int(t[$0])] }
            let before = cross(corners[1] - corners[0], corners[2] - corners[0])
            let moved = (0..<3).map { Int(t[$0]) == u || Int(t[$0]) == v ? target : corners[$0] }
            let after = cross(moved[1] - moved[0], moved[2] - moved[0])
            let lengths = (before * before).sum().squareRoot() * (after * after).sum().squareRoot()
            guard lengths > 0, (before * after).sum() > 0.2 * lengths else { return false }
        }
        // Apply: drop the two shared faces, move v's other faces to u.
        for f in shared {
            faceAlive[Int(f)] = false
            let t = faces[Int(f)]
            for i in 0..<3 { around[Int(t[i])].removeAll { $0 == f } }
        }
        liveFaces -= 2
        for f in around[v] {
            for i in 0..<3 where faces[Int(f)][i] == Int32(v) { faces[Int(f)][i] = Int32(u) }
            around[u].append(f)
        }
        around[v] = []
        vertexAlive[v] = false
        position[u] = target
        quadric[u] = quadric[u] + quadric[v]
        stamp[u] &+= 1
        for w in neighbours(u) { push(u, Int(w)) }
        return true
    }

    /// The surviving vertices and faces, renumbered densely.
    var mesh: TriangleMesh {
        var index = [UInt32](repeating: .max, count: position.count)
        var out = TriangleMesh()
        for (f, t) in faces.enumerated() where faceAlive[f] {
            var triangle = SIMD3<UInt32>(0, 0, 0)
            for i in 0..<3 {
                let v = Int(t[i])
                if index[v] == .max {
                    index[v] = UInt32(out.positions.count)
                    out.positions.append(SIMD3<Float>(position[v]))
                }
                triangle[i] = index[v]
            }
            out.triangles.append(triangle)
        }
        return out
    }
}
