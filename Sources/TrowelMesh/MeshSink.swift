/// Where `SurfaceExtractor` puts the surface as it makes it, block by block, so a caller chooses
/// between keeping the whole mesh (`TriangleMesh`, for smoothing and decimation) and streaming it
/// to disk (the STL and OBJ stream writers), whose memory does not grow with the scan.
///
/// Vertices are numbered 0, 1, 2, … in the order `addVertex` is called; a triangle only names
/// vertices added before it. Blocks are visited x fastest, then y, then z (z-slab by z-slab).
public protocol MeshSink: ~Copyable {
    /// Whether `addTriangle` needs the corner positions; when false the extractor passes zeros and
    /// saves computing them (a sink holding the vertices can look them up).
    static var wantsCorners: Bool { get }

    /// A new vertex at `position` (micrometres); its index is the number of vertices added before.
    mutating func addVertex(_ position: SIMD3<Float>)

    /// A triangle of three earlier vertices, wound outwards, with their positions when `wantsCorners`.
    mutating func addTriangle(_ triangle: SIMD3<UInt32>, corners: (SIMD3<Float>, SIMD3<Float>, SIMD3<Float>))

    /// Called after each block that had a surface; a writer reports a failed write here, so a full
    /// disk stops the extraction instead of being found at the end.
    mutating func endBlock() throws(MeshError)
}
