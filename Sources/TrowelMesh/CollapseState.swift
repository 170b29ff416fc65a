/// The mutable mesh an `EdgeCollapseDecimation` works on, kept lean because it holds a whole
/// surface: coordinates and corners in flat arrays (no SIMD padding), faces around each vertex in
/// one `VertexFaceLists` buffer, one epoch word per vertex instead of a stamp and a flag, and
/// 16-byte queue entries. Every step does the same arithmetic in the same order as the first
/// version (nested arrays, 24-byte entries), so the output is identical, bit for bit.
struct CollapseState: ~Copyable {
    /// x, y, z of each vertex.
    private var coordinates: [Double]
    /// The three corners of each face.
    private var corners: [Int32]
    private var faceAlive: [Bool]
    private var around: VertexFaceLists
    private var quadric: [Quadric]
    /// The epoch of each vertex's last change (`dead` once merged away): queue entries older than
    /// either end are stale.
    private var changed: [UInt32]
    /// How many collapses have been made.
    private var epoch: UInt32 = 0
    private(set) var liveFaces: Int
    private var queue = CollapseQueue()

    private static let dead = UInt32.max

    /// The state of `mesh`, which must have fewer than 2³¹ triangles and vertices. The mesh is
    /// consumed: when the caller handed over its only copy, its arrays are freed here.
    init(_ mesh: consuming TriangleMesh) {
        precondition(mesh.triangles.count < CollapseKey.maxFaces && mesh.positions.count < Int(Int32.max),
                     "decimation handles fewer than 2³¹ triangles and vertices")
        let vertexCount = mesh.positions.count, faceCount = mesh.triangles.count
        coordinates = [Double](unsafeUninitializedCapacity: 3 * vertexCount) { buffer, count in
            for (v, p) in mesh.positions.enumerated() {
                buffer[3 * v] = Double(p.x); buffer[3 * v + 1] = Double(p.y); buffer[3 * v + 2] = Double(p.z)
            }
            count = 3 * vertexCount
        }
        corners = [Int32](unsafeUninitializedCapacity: 3 * faceCount) { buffer, count in
            for (f, t) in mesh.triangles.enumerated() {
                for i in 0..<3 { buffer[3 * f + i] = Int32(truncatingIfNeeded: t[i]) }
            }
            count = 3 * faceCount
        }
        faceAlive = [Bool](repeating: true, count: faceCount)
        around = VertexFaceLists(vertexCount: vertexCount, faceCount: faceCount) { f, i in
            Int(Int32(truncatingIfNeeded: mesh.triangles[f][i]))
        }
        _ = consume mesh  // Everything below works on the copies.
        quadric = [Quadric](repeating: .zero, count: vertexCount)
        changed = [UInt32](repeating: 0, count: vertexCount)
        liveFaces = faceCount
        for f in 0..<faceCount {
            let t = face(f)
            let (a, b, c) = (position(Int(t.x)), position(Int(t.y)), position(Int(t.z)))
            let n = cross(b - a, c - a)
            let length = (n * n).sum().squareRoot()
            let q = length > 0 ? Quadric(normal: n / length, point: a) : .zero
            for i in 0..<3 { quadric[Int(t[i])] = quadric[Int(t[i])] + q }
        }
        queue.reserve(faceCount * 2)
        for f in 0..<faceCount {
            let t = face(f)
            for i in 0..<3 where t[i] < t[(i + 1) % 3] {
                push(Int(t[i]), Int(t[(i + 1) % 3]), CollapseKey(face: f, corner: i, reversed: false, epoch: 0))
            }
        }
    }

    @inline(__always) func position(_ v: Int) -> SIMD3<Double> {
        SIMD3(coordinates[3 * v], coordinates[3 * v + 1], coordinates[3 * v + 2])
    }

    @inline(__always) private mutating func setPosition(_ v: Int, _ p: SIMD3<Double>) {
        coordinates[3 * v] = p.x; coordinates[3 * v + 1] = p.y; coordinates[3 * v + 2] = p.z
    }

    @inline(__always) func face(_ f: Int) -> SIMD3<Int32> {
        SIMD3(corners[3 * f], corners[3 * f + 1], corners[3 * f + 2])
    }

    /// Where collapsing u–v puts the merged vertex (u, v or the midpoint, whichever errs least).
    func placement(_ u: Int, _ v: Int) -> (point: SIMD3<Double>, error: Double) {
        let q = quadric[u] + quadric[v]
        let (pu, pv) = (position(u), position(v))
        var best = (point: (pu + pv) / 2, error: 0.0)
        best.error = q.error(at: best.point)
        for p in [pu, pv] {
            let e = q.error(at: p)
            if e < best.error { best = (p, e) }
        }
        return best
    }

    /// Queues merging v into u, named by `key`.
    private mutating func push(_ u: Int, _ v: Int, _ key: CollapseKey) {
        let d = position(u) - position(v)
        // Ties (flat areas have zero error) go to the shortest edge.
        let cost = placement(u, v).error + 1e-3 * (d * d).sum()
        queue.push(.init(cost: cost, key: key))
    }

    /// The vertices sharing an edge with `u`, in the order its faces list them.
    func neighbours(_ u: Int) -> [Int32] {
        var out: [Int32] = []
        around.forEach(of: u) { f in
            let t = face(Int(f))
            for i in 0..<3 where Int(t[i]) != u && !out.contains(t[i]) { out.append(t[i]) }
        }
        return out
    }

    /// Queues merging each neighbour of `u` into `u`, after `u` changed.
    private mutating func pushNeighbours(_ u: Int) {
        var out: [(w: Int32, key: CollapseKey)] = []
        around.forEach(of: u) { f in
            let t = face(Int(f))
            for i in 0..<3 where Int(t[i]) != u && !out.contains(where: { $0.w == t[i] }) {
                // The edge u–w runs u→w from u's corner, or w→u from w's.
                let key = Int(t[(i + 2) % 3]) == u
                    ? CollapseKey(face: Int(f), corner: (i + 2) % 3, reversed: false, epoch: epoch)
                    : CollapseKey(face: Int(f), corner: i, reversed: true, epoch: epoch)
                out.append((t[i], key))
            }
        }
        for (w, key) in out { push(u, Int(w), key) }
    }

    /// The vertices a queued collapse merges (v into u), or nil when the entry is stale.
    private func edge(_ key: CollapseKey) -> (u: Int, v: Int)? {
        guard faceAlive[key.face] else { return nil }
        let a = Int(corners[3 * key.face + key.corner]), b = Int(corners[3 * key.face + (key.corner + 1) % 3])
        guard changed[a] <= key.epoch, changed[b] <= key.epoch else { return nil }
        return key.reversed ? (b, a) : (a, b)
    }

    /// Collapses edges until `target` faces remain or none can go; false when cancelled.
    mutating func collapse(until target: Int, isCancelled: () -> Bool) -> Bool {
        var popped = 0
        while liveFaces > target, let e = queue.pop() {
            popped += 1
            if popped & 0xFFF == 0 && isCancelled() { return false }
            guard let (u, v) = edge(e.key) else { continue }
            _ = tryCollapse(u, v)
        }
        return true
    }

    /// Merges v into u when that keeps the mesh a closed manifold without flipped triangles.
    mutating func tryCollapse(_ u: Int, _ v: Int) -> Bool {
        let aroundU = around.faces(of: u)
        let shared = aroundU.filter { f in let t = face(Int(f)); return t.x == Int32(v) || t.y == Int32(v) || t.z == Int32(v) }
        guard shared.count == 2 else { return false }
        let opposite = shared.map { f -> Int32 in
            let t = face(Int(f))
            return t.x != Int32(u) && t.x != Int32(v) ? t.x : (t.y != Int32(u) && t.y != Int32(v) ? t.y : t.z)
        }
        guard opposite[0] != opposite[1] else { return false }
        let nu = neighbours(u), nv = neighbours(v)
        let common = nu.filter { nv.contains($0) }
        guard common.count == 2, common.contains(opposite[0]), common.contains(opposite[1]) else { return false }
        guard around.count(Int(opposite[0])) > 3, around.count(Int(opposite[1])) > 3,
              around.count(u) + around.count(v) - 4 >= 3 else { return false }
        let target = placement(u, v).point
        for f in aroundU + around.faces(of: v) where !shared.contains(f) {
            let t = face(Int(f))
            let corners = (0..<3).map { position(Int(t[$0])) }
            let before = cross(corners[1] - corners[0], corners[2] - corners[0])
            let moved = (0..<3).map { Int(t[$0]) == u || Int(t[$0]) == v ? target : corners[$0] }
            let after = cross(moved[1] - moved[0], moved[2] - moved[0])
            let lengths = (before * before).sum().squareRoot() * (after * after).sum().squareRoot()
            guard lengths > 0, (before * after).sum() > 0.2 * lengths else { return false }
        }
        // Apply: drop the two shared faces, move v's other faces to u.
        for f in shared {
            faceAlive[Int(f)] = false
            let t = face(Int(f))
            for i in 0..<3 { around.remove(f, from: Int(t[i])) }
        }
        liveFaces -= 2
        for f in around.faces(of: v) {
            for i in 0..<3 where corners[3 * Int(f) + i] == Int32(v) { corners[3 * Int(f) + i] = Int32(u) }
        }
        around.append(v, to: u)
        changed[v] = Self.dead
        setPosition(u, target)
        quadric[u] = quadric[u] + quadric[v]
        epoch += 1
        changed[u] = epoch
        pushNeighbours(u)
        return true
    }

    /// The surviving vertices and faces, renumbered densely. The working arrays (queue, quadrics,
    /// face lists) are released first, so the output never shares the peak with them.
    consuming func finish() -> TriangleMesh {
        queue = CollapseQueue()
        quadric = []
        around = VertexFaceLists(vertexCount: 0, faceCount: 0) { _, _ in 0 }
        changed = []
        let vertexCount = coordinates.count / 3, faceCount = faceAlive.count
        var index = [UInt32](repeating: .max, count: vertexCount)
        var used = 0
        for f in 0..<faceCount where faceAlive[f] {
            for i in 0..<3 where index[Int(corners[3 * f + i])] == .max {
                index[Int(corners[3 * f + i])] = UInt32(used)
                used += 1
            }
        }
        var out = TriangleMesh()
        out.positions = [SIMD3<Float>](repeating: .zero, count: used)
        out.triangles.reserveCapacity(liveFaces)
        for f in 0..<faceCount where faceAlive[f] {
            var triangle = SIMD3<UInt32>(0, 0, 0)
            for i in 0..<3 {
                let v = Int(corners[3 * f + i])
                triangle[i] = index[v]
                out.positions[Int(index[v])] = SIMD3<Float>(position(v))
            }
            out.triangles.append(triangle)
        }
        return out
    }
}
