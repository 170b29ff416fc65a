/// The faces around each vertex, in one flat buffer instead of an array per vertex.
///
/// Built once from the triangles (counting sort, so each vertex's faces are in face order, as the
/// first version appended them), each vertex owns a segment of `slots`. When the decimator merges
/// v into u, u's list becomes u's faces followed by v's: v's segment is linked after u's, so a list
/// is a chain of segments. Faces are never taken out here: the caller skips dead ones, which keeps
/// the order of the rest and leaves an unmerged vertex's segment as it was built (the decimator
/// recomputes such a vertex's quadric from it). A chain with many more slots than live faces is
/// compacted into its first segments. So the lists cost 4 bytes a face corner plus 12 a vertex.
struct VertexFaceLists {
    /// Face ids, vertex by vertex; -1 where compaction left a slot empty.
    private var slots: [Int32]
    /// Where each vertex's own segment starts; it ends where the next vertex's starts.
    private var start: [Int]
    /// The vertex whose segment continues this one's chain, or -1.
    private var next: [Int32]

    /// The lists of `vertexCount` vertices around `faceCount` faces, whose corners `corner(f, i)` gives.
    init(vertexCount: Int, faceCount: Int, corner: (Int, Int) -> Int) {
        start = [Int](repeating: 0, count: vertexCount + 1)
        for f in 0..<faceCount {
            for i in 0..<3 { start[corner(f, i) + 1] += 1 }
        }
        for v in 0..<vertexCount { start[v + 1] += start[v] }
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

    /// Calls `body` with each face in `v`'s list (dead ones included), in order.
    @inline(__always) func forEach(of v: Int, _ body: (Int32) -> Void) {
        var segment = v
        while segment >= 0 {
            for s in start[segment]..<start[segment + 1] where slots[s] >= 0 { body(slots[s]) }
            segment = Int(next[segment])
        }
    }

    /// Calls `body` with each face `v` was built with, in face order: its own segment, intact
    /// for as long as `v` has absorbed no other vertex.
    @inline(__always) func forEachOriginal(of v: Int, _ body: (Int32) -> Void) {
        for s in start[v]..<start[v + 1] { body(slots[s]) }
    }

    /// Appends `v`'s list to `u`'s (v is merged into u), compacting the chain when faces that
    /// `isAlive` rejects fill more than half of it.
    mutating func append(_ v: Int, to u: Int, isAlive: (Int32) -> Bool) {
        var tail = u
        while next[tail] >= 0 { tail = Int(next[tail]) }
        next[tail] = Int32(v)
        var length = 0, live = 0
        forEach(of: u) { f in
            length += 1
            if isAlive(f) { live += 1 }
        }
        if length > 2 * live + 16 { compact(u, isAlive: isAlive) }
    }

    /// Moves `u`'s live faces to the front of its chain, in order, and drops the segments left empty.
    private mutating func compact(_ u: Int, isAlive: (Int32) -> Bool) {
        var write = start[u], writeSegment = u
        var segment = u
        while segment >= 0 {
            for s in start[segment]..<start[segment + 1] where slots[s] >= 0 {
                let f = slots[s]
                slots[s] = -1
                guard isAlive(f) else { continue }
                while write == start[writeSegment + 1] {
                    writeSegment = Int(next[writeSegment])
                    write = start[writeSegment]
                }
                slots[write] = f
                write += 1
            }
            segment = Int(next[segment])
        }
        // Only empty slots remain after `write`; cut the chain after its segment.
        next[writeSegment] = -1
    }
}
