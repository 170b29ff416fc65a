/// Streams binary STL while the surface is extracted: each triangle is written as it comes, with
/// the corner positions the extractor passes (a vertex's position is a function of its grid edge),
/// so no vertex table is kept. The header's triangle count is a placeholder patched at the end.
/// Memory is the 1 MB write buffer.
struct STLStreamWriter: MeshSink, ~Copyable {
    static var wantsCorners: Bool { true }
    private var out: AtomicOutput
    private var summary = MeshSummary()

    /// Opens a temporary file beside `path` and writes the header with a zero count.
    init(path: String) throws(MeshError) {
        out = try AtomicOutput(path: path)
        out.append(MeshWriter.stlHeader)
        out.append(littleEndian: 0)
    }

    mutating func addVertex(_ position: SIMD3<Float>) { summary.vertices += 1 }

    mutating func addTriangle(_ triangle: SIMD3<UInt32>, corners: (SIMD3<Float>, SIMD3<Float>, SIMD3<Float>)) {
        MeshWriter.appendSTLTriangle(corners.0, corners.1, corners.2, to: &out)
        summary.add(corners.0, corners.1, corners.2)
    }

    mutating func endBlock() throws(MeshError) { try out.checkWrites() }

    /// Patches the triangle count at byte 80 and renames the file into place; an empty surface is
    /// not written (the temporary file is removed).
    consuming func finish() throws(MeshError) -> MeshSummary {
        if summary.triangles == 0 {
            out.discard()
            return summary
        }
        guard let count = UInt32(exactly: summary.triangles) else { throw .tooManyTriangles(summary.triangles) }
        out.patch(littleEndian: count, at: MeshWriter.stlHeader.count)
        try out.commit()
        return summary
    }
}
