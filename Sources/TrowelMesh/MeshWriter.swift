import Foundation

/// Writes meshes as binary STL or indexed OBJ, atomically (temporary file beside it, then rename),
/// so a crash or a full disk never leaves half a mesh under the output's name. Units are micrometres.
public enum MeshWriter {
    /// Writes `mesh` to `path` in the format its extension names.
    public static func write(_ mesh: TriangleMesh, to path: String) throws(MeshError) {
        let format = try MeshFormat(path: path)
        try checkFolder(of: path)
        let bytes = format == .stl ? stlBytes(mesh) : objBytes(mesh)
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw .write(path: path, reason: (error as NSError).localizedFailureReason ?? error.localizedDescription)
        }
    }

    /// Binary STL: 80-byte header, little-endian triangle count, then per triangle the unit normal,
    /// three corners (float32) and a zero attribute word.
    public static func stlBytes(_ mesh: TriangleMesh) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(84 + 50 * mesh.triangles.count)
        var header = Array("Trowel mesh, binary STL, units: micrometres".utf8)
        header += [UInt8](repeating: 0x20, count: 80 - header.count)
        out += header
        append(UInt32(mesh.triangles.count), to: &out)
        for t in mesh.triangles {
            for value in [mesh.normal(of: t), mesh.positions[Int(t.x)], mesh.positions[Int(t.y)], mesh.positions[Int(t.z)]] {
                append(value.x.bitPattern, to: &out)
                append(value.y.bitPattern, to: &out)
                append(value.z.bitPattern, to: &out)
            }
            out += [0, 0]
        }
        return out
    }

    /// Indexed OBJ text: one `v x y z` per vertex, one `f i j k` (1-based) per triangle.
    public static func objBytes(_ mesh: TriangleMesh) -> [UInt8] {
        var text = "# Trowel mesh, units: micrometres\n"
        text.reserveCapacity(32 * mesh.positions.count + 24 * mesh.triangles.count)
        for p in mesh.positions { text += "v \(p.x) \(p.y) \(p.z)\n" }
        for t in mesh.triangles { text += "f \(t.x + 1) \(t.y + 1) \(t.z + 1)\n" }
        return Array(text.utf8)
    }

    @inline(__always) private static func append(_ value: UInt32, to out: inout [UInt8]) {
        out += [UInt8(value & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 24)]
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
