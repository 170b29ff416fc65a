/// Why a mesh could not be made or written; each message is one line naming what to fix.
public enum MeshError: Error, CustomStringConvertible, Equatable {
    case notUInt8(path: String, dtype: String)
    case badBlockSide(Int)
    case badDownsample(Int)
    case badDecimation(Double)
    case badSmoothing(Int)
    case unknownFormat(String)
    case read(String)
    case write(path: String, reason: String)
    case tooManyTriangles(Int)
    case tooManyVertices
    case cancelled

    public var description: String {
        switch self {
        case .notUInt8(let p, let d): return "\(p): holds \(d) voxels; meshing needs a uint8 label volume (class ids)"
        case .badBlockSide(let n): return "block side \(n): use 2 or more voxels"
        case .badDownsample(let n): return "--downsample \(n): use 1 (full resolution) or a factor from 2 to 16"
        case .badDecimation(let f): return "--decimate \(f): give the fraction of triangles to keep, greater than 0 and below 1"
        case .badSmoothing(let n): return "--smooth \(n): give a number of iterations from 0 to 1000"
        case .unknownFormat(let p): return "\(p): unknown mesh format; name the output .stl (binary STL) or .obj (indexed OBJ)"
        case .read(let why): return why
        case .write(let p, let why): return "\(p): cannot write the mesh (\(why))"
        case .tooManyTriangles(let n): return "\(n) triangles: binary STL holds at most 4294967295; use --downsample 2, or write .obj"
        case .tooManyVertices: return "more than 2147483647 vertices: use --downsample 2 or mesh a cropped volume"
        case .cancelled: return "cancelled; no mesh was written"
        }
    }
}
