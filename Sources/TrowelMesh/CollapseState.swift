/// The mutable mesh an `EdgeCollapseDecimation` works on, kept lean because it holds a whole
/// surface.
///
/// The input mesh is kept as it is (the caller holds it anyway) and only changes are stored: a
/// vertex that has absorbed another gets a row of position and quadric in `merged`, the others
/// keep their input position, and their quadric (the sum of their faces' planes, in face order, as
/// the first version accumulated it) is recomputed when needed from the faces they were built
/// with (a small `QuadricCache` saves most of that work); faces keep their input corners, resolved
/// through `parent` to the vertex they went into.
/// Faces around each vertex live in one `VertexFaceLists` buffer, one epoch word per vertex
/// replaces a stamp and a flag, and queue entries are 16 bytes. Every computation is the same, in
/// the same order, as in the first version (dense arrays of everything, nested face arrays,
/// 24-byte entries), so the output is identical, bit for bit.
struct CollapseState: ~Copyable {
    /// The input; positions and corners of what has not changed.
    private let input: TriangleMesh
    /// The vertex each merged-away vertex went into (itself while alive).
    private var parent: [Int32]
    private var faceAlive: [Bool]
    private var around: VertexFaceLists
    /// Each vertex's row in `merged` once it has absorbed another, else -1.
    private var row: [Int32]
    private var merged = MergedVertices()
    private var cache = QuadricCache()
    /// The epoch of each vertex's last change (`dead` once merged away): queue entries older than
    /// either end are stale.
    private var changed: [UInt32]
    /// How many collapses have been made.
    private var epoch: UInt32 = 0
    private(set) var liveFaces: Int
    private var queue = CollapseQueue()

    private static let dead = UInt32.max

    /// The state of `mesh`, which must have fewer than 2³¹ triangles and vertices.
    init(_ mesh: TriangleMesh) {
        precondition(mesh.triangles.count < CollapseKey.maxFaces && mesh.positions.count < Int(Int32.max),
                     "decimation handles fewer than 2³¹ triangles and vertices")
        let vertexCount = mesh.positions.count, faceCount = mesh.triangles.count
        input = mesh
        parent = [Int32](unsafeUninitializedCapacity: vertexCount) { buffer, count in
            for v in 0..<vertexCount { buffer[v] = Int32(v) }
            count = vertexCount
        }
        faceAlive = [Bool](repeating: true, count: faceCount)
        around = VertexFaceLists(vertexCount: vertexCount, faceCount: faceCount) { f, i in
            Int(Int32(truncatingIfNeeded: mesh.triangles[f][i]))
        }
        row = [Int32](repeating: -1, count: vertexCount)
        changed = [UInt32](repeating: 0, count: vertexCount)
        liveFaces = faceCount
        queue.reserve(faceCount * 2)
        for f in 0..<faceCount {
            let t = SIMD3<Int32>(truncatingIfNeeded: mesh.triangles[f])
            for i in 0..<3 where t[i] < t[(i + 1) % 3] {
                push(Int(t[i]), Int(t[(i + 1) % 3]), CollapseKey(face: f, corner: i, reversed: false, epoch: 0))
            }
        }
    }

    @inline(__always) func position(_ v: Int) -> SIMD3<Double> {
        let r = row[v]
        return r >= 0 ? merged.position(Int(r)) : SIMD3<Double>(input.positions[v])
    }

    /// The sum of the planes of the faces `v` has absorbed.
    @inline(__always) mutating func quadric(_ v: Int) -> Quadric {
        let r = row[v]
        if r >= 0 { return merged.quadric(Int(r)) }
        if let q = cache.quadric(of: v) { return q }
        var q = Quadric.zero
        around.forEachOriginal(of: v) { f in q = q + plane(Int(f)) }
        cache.store(q, for: v)
        return q
    }

    /// The quadric of input face `f`'s plane.
    private func plane(_ f: Int) -> Quadric {
        let t = input.triangles[f]
        let (a, b, c) = (SIMD3<Double>(input.positions[Int(Int32(truncatingIfNeeded: t.x))]),
                         SIMD3<Double>(input.positions[Int(Int32(truncatingIfNeeded: t.y))]),
                         SIMD3<Double>(input.positions[Int(Int32(truncatingIfNeeded: t.z))]))
        let n = cross(b - a, c - a)
        let length = (n * n).sum().squareRoot()
        return length > 0 ? Quadric(normal: n / length, point: a) : .zero
    }

    /// The vertex `v` has gone into (`v` while it is alive).
    @inline(__always) func resolve(_ v: Int32) -> Int32 {
        var r = v
        while parent[Int(r)] != r { r = parent[Int(r)] }
        return r
    }

    /// Face `f`'s current corners.
    @inline(__always) func face(_ f: Int) -> SIMD3<Int32> {
        let t = SIMD3<Int32>(truncatingIfNeeded: input.triangles[f])
        return SIMD3(resolve(t.x), resolve(t.y), resolve(t.z))
    }

    /// The live faces around `v`, in order.
    func faces(of v: Int) -> [Int32] {
        var out: [Int32] = []
        around.forEach(of: v) { f in if faceAlive[Int(f)] { out.append(f) } }
        return out
    }

    /// How many live faces are around `v`.
    func faceCount(_ v: Int) -> Int {
        var n = 0
        around.forEach(of: v) { f in if faceAlive[Int(f)] { n += 1 } }
        return n
    }

    /// Where collapsing u–v puts the merged vertex (u, v or the midpoint, whichever errs least).
    mutating func placement(_ u: Int, _ v: Int) -> (point: SIMD3<Double>, error: Double) {
        let q = quadric(u) + quadric(v)
        let (pu, pv) = (position(u), position(v))
        var best = (point: (pu + pv) / 2, error: 0.0)
        best.error = q.error(at: best.point)
        // u first, then v (no array: this runs for every queued edge).
        let eu = q.error(at: pu)
        if eu < best.error { best = (pu, eu) }
        let ev = q.error(at: pv)
        if ev < best.error { best = (pv, ev) }
        return best
    }

    /// Queues merging v into u, named by `key`.
    private mutating func push(_ u: Int, _ v: Int, _ key: CollapseKey) {
        let d = position(u) - position(v)
        // Ties (flat areas have zero error) go to the shortest edge.
        let cost = placement(u, v).error + 1e-3 * (d * d).sum()
        queue.push(.init(cost: cost, key: key))
    }

    /// The vertices sharing an edge with `u`, in the order its faces (`faces(of: u)`) list them.
    func neighbours(_ u: Int, faces around: [Int32]) -> [Int32] {
        var out: [Int32] = []
        for f in around {
            let t = face(Int(f))
            for i in 0..<3 where Int(t[i]) != u && !out.contains(t[i]) { out.append(t[i]) }
        }
        return out
    }

    /// Queues merging each neighbour of `u` into `u`, after `u` changed.
    private mutating func pushNeighbours(_ u: Int) {
        var out: [(w: Int32, key: CollapseKey)] = []
        for f in faces(of: u) {
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

    /// As `resolve`, halving the path on the way so later look-ups are shorter.
    private mutating func resolveHalving(_ v: Int32) -> Int32 {
        var x = v
        while parent[Int(x)] != x {
            let grandparent = parent[Int(parent[Int(x)])]
            parent[Int(x)] = grandparent
            x = grandparent
        }
        return x
    }

    /// The vertices a queued collapse merges (v into u), or nil when the entry is stale.
    private mutating func edge(_ key: CollapseKey) -> (u: Int, v: Int)? {
        guard faceAlive[key.face] else { return nil }
        let t = SIMD3<Int32>(truncatingIfNeeded: input.triangles[key.face])
        let a = Int(resolveHalving(t[key.corner])), b = Int(resolveHalving(t[(key.corner + 1) % 3]))
        guard changed[a] <= key.epoch, changed[b] <= key.epoch else { return nil }
        return key.reversed ? (b, a) : (a, b)
    }

    /// Collapses edges until `target` faces remain or none can go; false when cancelled.
    mutating func collapse(until target: Int, isCancelled: () -> Bool) -> Bool {
        // Each collapse takes two faces and gives at most one vertex a row.
        merged.reserve(min(row.count, max(0, liveFaces - target) / 2 + 1))
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
        let aroundU = faces(of: u)
        let shared = aroundU.filter { f in let t = face(Int(f)); return t.x == Int32(v) || t.y == Int32(v) || t.z == Int32(v) }
        guard shared.count == 2 else { return false }
        let opposite = shared.map { f -> Int32 in
            let t = face(Int(f))
            return t.x != Int32(u) && t.x != Int32(v) ? t.x : (t.y != Int32(u) && t.y != Int32(v) ? t.y : t.z)
        }
        guard opposite[0] != opposite[1] else { return false }
        let aroundV = faces(of: v)
        let nu = neighbours(u, faces: aroundU), nv = neighbours(v, faces: aroundV)
        let common = nu.filter { nv.contains($0) }
        guard common.count == 2, common.contains(opposite[0]), common.contains(opposite[1]) else { return false }
        guard faceCount(Int(opposite[0])) > 3, faceCount(Int(opposite[1])) > 3,
              aroundU.count + aroundV.count - 4 >= 3 else { return false }
        let target = placement(u, v).point
        for f in aroundU + aroundV where !shared.contains(f) {
            let t = face(Int(f))
            let corners = (0..<3).map { position(Int(t[$0])) }
            let before = cross(corners[1] - corners[0], corners[2] - corners[0])
            let moved = (0..<3).map { Int(t[$0]) == u || Int(t[$0]) == v ? target : corners[$0] }
            let after = cross(moved[1] - moved[0], moved[2] - moved[0])
            let lengths = (before * before).sum().squareRoot() * (after * after).sum().squareRoot()
            guard lengths > 0, (before * after).sum() > 0.2 * lengths else { return false }
        }
        // Apply: the merged quadric first (while u's and v's own face lists are intact), then drop
        // the two shared faces, move v's other faces to u.
        let sum = quadric(u) + quadric(v)
        if row[u] < 0 { row[u] = Int32(merged.add()) }
        merged.set(Int(row[u]), position: target, quadric: sum)
        if row[v] >= 0 { merged.remove(Int(row[v])) }
        row[v] = -1
        for f in shared { faceAlive[Int(f)] = false }
        liveFaces -= 2
        parent[v] = Int32(u)
        around.append(v, to: u) { [faceAlive] f in faceAlive[Int(f)] }
        changed[v] = Self.dead
        epoch += 1
        changed[u] = epoch
        pushNeighbours(u)
        return true
    }

    /// The surviving vertices and faces, renumbered densely. The working arrays (queue, merged
    /// rows' quadrics, face lists) are released first, so the output never shares the peak with them.
    consuming func finish() -> TriangleMesh {
        queue = CollapseQueue()
        cache = QuadricCache()
        around = VertexFaceLists(vertexCount: 0, faceCount: 0) { _, _ in 0 }
        changed = []
        merged.dropQuadrics()
        let vertexCount = row.count, faceCount = faceAlive.count
        var index = [UInt32](repeating: .max, count: vertexCount)
        var used = 0
        for f in 0..<faceCount where faceAlive[f] {
            let t = face(f)
            for i in 0..<3 where index[Int(t[i])] == .max {
                index[Int(t[i])] = UInt32(used)
                used += 1
            }
        }
        var out = TriangleMesh()
        out.positions = [SIMD3<Float>](repeating: .zero, count: used)
        out.triangles.reserveCapacity(liveFaces)
        for f in 0..<faceCount where faceAlive[f] {
            let t = face(f)
            var triangle = SIMD3<UInt32>(0, 0, 0)
            for i in 0..<3 {
                let v = Int(t[i])
                triangle[i] = index[v]
                out.positions[Int(index[v])] = SIMD3<Float>(position(v))
            }
            out.triangles.append(triangle)
        }
        return out
    }
}
