/// The faces around each vertex, in one flat buffer instead of an array per vertex.
///
/// Built once from the triangles (counting sort, so each vertex's faces are in face order, as the
/// first version appended them), each vertex owns a segment of `slots`. When the decimator merges
/// v into u, u's list becomes u's faces followed by v's: v's segment is linked after u's, so a list
/// is a chain of segments. Removed faces leave a hole (-1), keeping the order of the rest, and a
/// chain with many more holes than faces is compacted into its first segments. So a list costs
/// 4 bytes a face plus 16 a vertex, against an array header and spare capacity per vertex, and
/// lists iterate in exactly the order the decimator's tie-breaking depends on.
struct VertexFaceLists {
    /// Face ids, vertex by vertex; -1 where a face was removed.
    private var slots: [Int32]
    /// Where each vertex's own segment starts; it ends where the next vertex's starts.
    private var start: [Int]
    /// The vertex whose segment continues this one's chain, or -1.
    private var next: [Int32]
    /// How many faces each vertex's list holds.
    private var live: [Int32]

    /// The lists of `vertexCount` vertices around `faceCount` faces, whose corners `corner(f, i)` gives.
    init(vertexCount: Int, faceCount: Int, corner: (Int, Int) -> Int) {
        live = [Int32](repeating: 0, count: vertexCount)
        for f in 0..<faceCount {
            for i in 0..<3 { live[corner(f, i)] += 1 }
        }
        start = [Int](repeating: 0, count: vertexCount + 1)
        for v in 0..<vertexCount { start[v + 1] = start[v] + Int(live[v]) }
        slots = [Int32](repeating: -1, count: start[vertexCount])
        // Fill with `start` as each vertex's cursor, then shift it back.
        for f in 0..<faceCount {
            for i in 0..<3 {
                let v = corner(f, i)
                slots[start[v]] = Int32(f)
                start[v] += 1
            }
        }
        for v in stride(from: vertexCount, to: 0, by: -1) { start[v] = start[v - 1] }
        if vertexCount > 0 { start[0] = 0 }
        next = [Int32](repeating: -1, count: vertexCount)
    }

    /// How many faces are around `v`.
    func count(_ v: Int) -> Int { Int(live[v]) }

    /// The faces around `v`, in order.
    func faces(of v: Int) -> [Int32] {
        var out: [Int32] = []
        out.reserveCapacity(Int(live[v]))
        forEach(of: v) { out.append($0) }
        return out
    }

    /// Calls `body` with each face around `v`, in order.
    @inline(__always) func forEach(of v: Int, _ body: (Int32) -> Void) {
        var segment = v
        while segment >= 0 {
            for s in start[segment]..<start[segment + 1] where slots[s] >= 0 { body(slots[s]) }
            segment = Int(next[segment])
        }
    }

    /// Takes every occurrence of face `f` out of `v`'s list, keeping the order of the rest.
    mutating func remove(_ f: Int32, from v: Int) {
        var segment = v
        while segment >= 0 {
            for s in start[segment]..<start[segment + 1] where slots[s] == f {
                slots[s] = -1
                live[v] -= 1
            }
            segment = Int(next[segment])
        }
    }

    /// Appends `v`'s list to `u`'s and empties `v`'s (v is merged into u).
    mutating func append(_ v: Int, to u: Int) {
        var tail = u, length = start[u + 1] - start[u]
        while next[tail] >= 0 {
            tail = Int(next[tail])
            length += start[tail + 1] - start[tail]
        }
        next[tail] = Int32(v)
        live[u] += live[v]
        live[v] = 0
        var segment = v
        while segment >= 0 {
            length += start[segment + 1] - start[segment]
            segment = Int(next[segment])
        }
        if length > 2 * Int(live[u]) + 16 { compact(u) }
    }

    /// Moves `u`'s faces to the front of its chain, in order, and drops the segments left empty.
    private mutating func compact(_ u: Int) {
        var write = start[u], writeSegment = u
        var segment = u
        while segment >= 0 {
            for s in start[segment]..<start[segment + 1] where slots[s] >= 0 {
                let f = slots[s]
                slots[s] = -1
                while write == start[writeSegment + 1] {
                    writeSegment = Int(next[writeSegment])
                    write = start[writeSegment]
                }
                slots[write] = f
                write += 1
            }
            segment = Int(next[segment])
        }
        // The holes left behind are all after `write`; cut the chain after its segment.
        next[writeSegment] = -1
    }
}
