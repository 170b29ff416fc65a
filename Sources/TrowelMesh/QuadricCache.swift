/// Recently recomputed quadrics of untouched vertices, direct-mapped by vertex id.
///
/// A vertex's quadric never changes until it absorbs another, and then the decimator reads it from
/// its merged row instead; so a cached value never goes stale. Faces come out of the extractor
/// block by block with nearby vertex ids, so a small table catches most repeats.
struct QuadricCache {
    private static let bits = 16
    private var vertex = [Int32](repeating: -1, count: 1 << bits)
    private var value = [Quadric](repeating: .zero, count: 1 << bits)

    /// `v`'s quadric, if it is cached.
    @inline(__always) func quadric(of v: Int) -> Quadric? {
        let slot = v & (1 << Self.bits - 1)
        return vertex[slot] == Int32(v) ? value[slot] : nil
    }

    /// Remembers `q` as `v`'s quadric, in place of whichever vertex shared its slot.
    @inline(__always) mutating func store(_ q: Quadric, for v: Int) {
        let slot = v & (1 << Self.bits - 1)
        vertex[slot] = Int32(v)
        value[slot] = q
    }
}
