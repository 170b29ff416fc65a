import Foundation

/// Writes meshes as binary STL or indexed OBJ, atomically (temporary file beside it, then rename),
/// so a crash or a full disk never leaves half a mesh under the output's name. Units are micrometres.
public enum MeshWriter {
    /// Writes `mesh` to `path` in the format its extension names.
    public static func write(_ mesh: TriangleMesh, to path: String) throws(MeshError) {
        let format = try MeshFormat(path: path)
        try checkFolder(of: path)
        let bytes = format == .stl ? stlBytes(mesh) : objBytes(mesh)
        try writeAtomically(bytes, to: path)
    }

    /// Writes `bytes` to a temporary file beside `path`, then renames it over `path`.
    private static func writeAtomically(_ bytes: [UInt8], to path: String) throws(MeshError) {
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".trowel-tmp-\(url.lastPathComponent)-\(UUID().uuidString)").path
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        guard fd >= 0 else { throw .write(path: path, reason: String(cString: strerror(errno))) }
        var failure: Int32 = 0
        bytes.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let n = Foundation.write(fd, raw.baseAddress! + done, raw.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                done += n
            }
        }
        if close(fd) != 0 && failure == 0 { failure = errno }
        if failure == 0 && rename(temporary, path) != 0 { failure = errno }
        if failure != 0 {
            unlink(temporary)
            throw .write(path: path, reason: String(cString: strerror(failure)))
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

    /// Checks, before any work, that `path` names a known format in an existing, writable folder.
    public static func validate(path: String) throws(MeshError) {
        _ = try MeshFormat(path: path)
        try checkFolder(of: path)
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
