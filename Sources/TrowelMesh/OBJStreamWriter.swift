/// Streams indexed OBJ while the surface is extracted: `v` lines go to the output as vertices are
/// made, and `f` lines (1-based global indices) to a scratch file beside it, appended after the
/// last vertex, so the file is the same as the in-memory writer's (all `v`, then all `f`) while
/// memory stays at two 1 MB buffers.
struct OBJStreamWriter: MeshSink, ~Copyable {
    /// Corners are only summed into the summary's area and volume.
    static var wantsCorners: Bool { true }
    private var out: AtomicOutput
    private var faces: ScratchFile
    private var summary = MeshSummary()

    /// Opens a temporary file and a scratch file beside `path` and writes the header line.
    init(path: String) throws(MeshError) {
        let faces = try ScratchFile(beside: path)
        var out = try AtomicOutput(path: path)
        out.append(MeshWriter.objHeader)
        self.out = out
        self.faces = faces
    }

    mutating func addVertex(_ position: SIMD3<Float>) {
        out.append(MeshWriter.objVertex(position))
        summary.vertices += 1
    }

    mutating func addTriangle(_ triangle: SIMD3<UInt32>, corners: (SIMD3<Float>, SIMD3<Float>, SIMD3<Float>)) {
        faces.append(MeshWriter.objFace(triangle))
        summary.add(corners.0, corners.1, corners.2)
    }

    mutating func endBlock() throws(MeshError) {
        try out.checkWrites()
        try faces.checkWrites()
    }

    /// Appends the faces after the vertices and renames the file into place; an empty surface is
    /// not written (the temporary file is removed).
    consuming func finish() throws(MeshError) -> MeshSummary {
        if summary.triangles == 0 {
            out.discard()
            return summary
        }
        try out.append(contentsOf: &faces)
        try out.commit()
        return summary
    }
}
