import Foundation

/// Writes meshes as binary STL or indexed OBJ, atomically (temporary file beside it, then rename),
/// so a crash or a full disk never leaves half a mesh under the output's name. Units are micrometres.
public enum MeshWriter {
    /// Writes `mesh` to `path` in the format its extension names, streaming through a 1 MB buffer.
    public static func write(_ mesh: TriangleMesh, to path: String) throws(MeshError) {
        let format = try MeshFormat(path: path)
        try checkFolder(of: path)
        var out = try AtomicOutput(path: path)
        switch format {
        case .stl: writeSTL(mesh, to: &out)
        case .obj: writeOBJ(mesh, to: &out)
        }
        try out.commit()
    }

    /// Checks, before any work, that `path` names a known format in an existing, writable folder.
    public static func validate(path: String) throws(MeshError) {
        _ = try MeshFormat(path: path)
        try checkFolder(of: path)
    }

    /// Binary STL: 80-byte header, little-endian triangle count, then per triangle the unit normal,
    /// three corners (float32) and a zero attribute word.
    static func writeSTL(_ mesh: TriangleMesh, to out: inout AtomicOutput) {
        var header = Array("Trowel mesh, binary STL, units: micrometres".utf8)
        header += [UInt8](repeating: 0x20, count: 80 - header.count)
        out.append(header)
        out.append(littleEndian: UInt32(mesh.triangles.count))
        for t in mesh.triangles {
            out.append(mesh.normal(of: t))
            out.append(mesh.positions[Int(t.x)])
            out.append(mesh.positions[Int(t.y)])
            out.append(mesh.positions[Int(t.z)])
            out.append(byte: 0)
            out.append(byte: 0)
            out.flushIfFull()
        }
    }

    /// Indexed OBJ text: one `v x y z` per vertex, one `f i j k` (1-based) per triangle.
    static func writeOBJ(_ mesh: TriangleMesh, to out: inout AtomicOutput) {
        out.append("# Trowel mesh, units: micrometres\n".utf8)
        for p in mesh.positions { out.append("v \(p.x) \(p.y) \(p.z)\n".utf8) }
        for t in mesh.triangles { out.append("f \(t.x + 1) \(t.y + 1) \(t.z + 1)\n".utf8) }
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
