import Foundation

/// Writes meshes as binary STL or indexed OBJ, atomically (temporary file beside it, then rename),
/// so a crash or a full disk never leaves half a mesh under the output's name. Units are micrometres.
///
/// Two ways in: `write` takes a whole `TriangleMesh` (after smoothing or decimation), and
/// `writeSurface` streams a surface to disk while `SurfaceExtractor` makes it, so memory is a
/// slab of blocks whatever the size of the scan. Both write the same bytes for the same surface.
public enum MeshWriter {
    /// Writes `mesh` to `path` in the format its extension names, streaming through a 1 MB buffer.
    public static func write(_ mesh: TriangleMesh, to path: String) throws(MeshError) {
        let format = try MeshFormat(path: path)
        try checkFolder(of: path)
        var out = try AtomicOutput(path: path)
        switch format {
        case .stl: try writeSTL(mesh, to: &out)
        case .obj: writeOBJ(mesh, to: &out)
        }
        try out.commit()
    }

    /// Extracts the surface of `classID` in `source` with `extractor` and writes it to `path` as it
    /// is made, in the format the extension names; the bytes are those `write` gives for the mesh
    /// `extractor.surface(of:in:)` returns. An empty surface writes nothing (the summary has no
    /// triangles), so the caller can say so without leaving an empty file. `progress` and
    /// `isCancelled` are those of `SurfaceExtractor.surface`; when cancelled, nothing is left behind.
    public static func writeSurface(
        of classID: UInt8, in source: LabelSource, with extractor: SurfaceExtractor, to path: String,
        progress: (Int, Int) -> Void = { _, _ in }, isCancelled: () -> Bool = { false }
    ) throws(MeshError) -> MeshSummary {
        let format = try MeshFormat(path: path)
        try checkFolder(of: path)
        switch format {
        case .stl:
            var sink = try STLStreamWriter(path: path)
            try extractor.surface(of: classID, in: source, into: &sink, progress: progress, isCancelled: isCancelled)
            return try sink.finish()
        case .obj:
            var sink = try OBJStreamWriter(path: path)
            try extractor.surface(of: classID, in: source, into: &sink, progress: progress, isCancelled: isCancelled)
            return try sink.finish()
        }
    }

    /// Checks, before any work, that `path` names a known format in an existing, writable folder.
    public static func validate(path: String) throws(MeshError) {
        _ = try MeshFormat(path: path)
        try checkFolder(of: path)
    }

    /// The 80-byte binary STL header (padded with spaces).
    static let stlHeader: [UInt8] = {
        let text = Array("Trowel mesh, binary STL, units: micrometres".utf8)
        return text + [UInt8](repeating: 0x20, count: 80 - text.count)
    }()

    /// Binary STL: 80-byte header, little-endian triangle count, then per triangle the unit normal,
    /// three corners (float32) and a zero attribute word.
    static func writeSTL(_ mesh: TriangleMesh, to out: inout AtomicOutput) throws(MeshError) {
        guard let count = UInt32(exactly: mesh.triangles.count) else { throw .tooManyTriangles(mesh.triangles.count) }
        out.append(stlHeader)
        out.append(littleEndian: count)
        for t in mesh.triangles {
            let a = mesh.positions[Int(t.x)], b = mesh.positions[Int(t.y)], c = mesh.positions[Int(t.z)]
            appendSTLTriangle(a, b, c, to: &out)
        }
    }

    /// One binary STL triangle record: normal, corners, zero attribute word (50 bytes).
    @inline(__always) static func appendSTLTriangle(_ a: SIMD3<Float>, _ b: SIMD3<Float>, _ c: SIMD3<Float>,
                                                    to out: inout AtomicOutput) {
        out.append(TriangleMesh.normal(a, b, c))
        out.append(a)
        out.append(b)
        out.append(c)
        out.append(byte: 0)
        out.append(byte: 0)
        out.flushIfFull()
    }

    /// The first line of an OBJ file.
    static let objHeader = Array("# Trowel mesh, units: micrometres\n".utf8)

    /// An OBJ vertex line, `v x y z`.
    @inline(__always) static func objVertex(_ p: SIMD3<Float>) -> String.UTF8View { "v \(p.x) \(p.y) \(p.z)\n".utf8 }

    /// An OBJ face line with 1-based indices, `f i j k`.
    @inline(__always) static func objFace(_ t: SIMD3<UInt32>) -> String.UTF8View { "f \(t.x + 1) \(t.y + 1) \(t.z + 1)\n".utf8 }

    /// Indexed OBJ text: one `v x y z` per vertex, one `f i j k` (1-based) per triangle.
    static func writeOBJ(_ mesh: TriangleMesh, to out: inout AtomicOutput) {
        out.append(objHeader)
        for p in mesh.positions { out.append(objVertex(p)) }
        for t in mesh.triangles { out.append(objFace(t)) }
    }

    /// A one-line reason when the output's folder is missing or not writable.
    private static func checkFolder(of path: String) throws(MeshError) {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .write(path: path, reason: "no such folder \(folder)")
        }
        guard FileManager.default.isWritableFile(atPath: folder) else {
            throw .write(path: path, reason: "folder \(folder) is not writable")
        }
    }
}
