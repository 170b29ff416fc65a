/// File formats a mesh can be written in, chosen by the output's extension.
public enum MeshFormat: String, Sendable, CaseIterable {
    /// Binary STL: unindexed triangles with per-face normals; what 3D printers and slicers read.
    case stl
    /// Wavefront OBJ with shared vertices (`v`, then 1-based `f`); keeps the welded topology.
    case obj

    /// The format named by `path`'s extension (.stl or .obj, any case).
    public init(path: String) throws(MeshError) {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard let dot = name.lastIndex(of: "."), let format = MeshFormat(rawValue: name[name.index(after: dot)...].lowercased()) else {
            throw .unknownFormat(path)
        }
        self = format
    }
}
