/// Counts and measures of a mesh that was streamed to disk and is no longer in memory: what
/// `trowel mesh` reports. Area and volume are summed triangle by triangle in the same order and
/// arithmetic as `TriangleMesh.surfaceArea` and `enclosedVolume`, so both paths report the same.
public struct MeshSummary: Sendable, Equatable {
    /// Triangles written.
    public var triangles = 0
    /// Vertices written (OBJ `v` lines; for STL the welded vertices the triangles share).
    public var vertices = 0
    /// Total triangle area in µm².
    public var surfaceArea = 0.0
    /// Six times the enclosed volume (the sum of the triangles' signed tetrahedra).
    private var volumeTimesSix = 0.0

    public init() {}

    /// Enclosed volume in µm³ (positive for an outward-wound closed surface).
    public var enclosedVolume: Double { volumeTimesSix / 6 }

    /// Counts one triangle with corners `a`, `b`, `c`.
    @inline(__always) mutating func add(_ a: SIMD3<Float>, _ b: SIMD3<Float>, _ c: SIMD3<Float>) {
        let (a, b, c) = (SIMD3<Double>(a), SIMD3<Double>(b), SIMD3<Double>(c))
        triangles += 1
        surfaceArea += TriangleMesh.area(a, b, c)
        volumeTimesSix += TriangleMesh.volumeTimesSix(a, b, c)
    }
}
