/// Position and quadric of the vertices that have absorbed another in a decimation, in rows that
/// are reused once their vertex is merged away in turn. Untouched vertices need neither: their
/// position is the input's and their quadric can be recomputed from their faces. So this holds
/// at most one row per collapse, and in practice far fewer than one per vertex.
struct MergedVertices {
    /// x, y, z of each row.
    private var coordinates: [Double] = []
    private var quadrics: [Quadric] = []
    /// Rows given back, reused first.
    private var free: [Int32] = []

    /// Room for `n` rows without growing (address space only until they are used).
    mutating func reserve(_ n: Int) {
        coordinates.reserveCapacity(3 * n)
        quadrics.reserveCapacity(n)
    }

    /// A row for a vertex that has just absorbed another.
    mutating func add() -> Int {
        if let r = free.popLast() { return Int(r) }
        coordinates.append(contentsOf: [0, 0, 0])
        quadrics.append(.zero)
        return quadrics.count - 1
    }

    /// Gives row `r` back (its vertex has been merged away).
    mutating func remove(_ r: Int) { free.append(Int32(r)) }

    mutating func set(_ r: Int, position p: SIMD3<Double>, quadric: Quadric) {
        coordinates[3 * r] = p.x; coordinates[3 * r + 1] = p.y; coordinates[3 * r + 2] = p.z
        quadrics[r] = quadric
    }

    @inline(__always) func position(_ r: Int) -> SIMD3<Double> {
        SIMD3(coordinates[3 * r], coordinates[3 * r + 1], coordinates[3 * r + 2])
    }

    @inline(__always) func quadric(_ r: Int) -> Quadric { quadrics[r] }

    /// Frees the quadrics once collapsing is over; positions stay for the output.
    mutating func dropQuadrics() { quadrics = [] }
}
