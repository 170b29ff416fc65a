/// Why a Zarr array could not be opened, read or written. Every message is one line that starts with
/// the file or folder at fault, then says what is wrong (and, where it helps, what would work).
public enum ZarrError: Error, CustomStringConvertible, Equatable, Sendable {
    /// Neither `.zarray` nor `zarr.json` is there.
    case notAnArray(path: String)
    /// `create` found an array already there (pass `overwrite: true` to replace it).
    case alreadyExists(path: String)
    /// Metadata is unreadable JSON or lacks / mistypes a field.
    case invalidMetadata(path: String, reason: String)
    /// A data type Trowel does not hold (`<c8`, `int64`, `bool`, …).
    case unsupportedDType(path: String, dtype: String)
    /// A v2 compressor id or v3 compressor name Trowel does not know.
    case unknownCompressor(path: String, name: String)
    /// A v3 codec Trowel does not know.
    case unknownCodec(path: String, name: String)
    /// A known Zarr feature Trowel does not implement (sharding, filters, Fortran order, rank > 3).
    case unsupportedFeature(path: String, feature: String)
    /// A chunk file that exists but does not decode to a whole chunk.
    case corruptChunk(path: String, reason: String)
    /// A read or write box that is not inside the array.
    case outOfBounds(path: String, box: Box, shape: Shape)
    /// A caller asked for something impossible (zero chunk size, bad separator, …).
    case invalidArgument(path: String, reason: String)
    /// The file system refused (permissions, disk full, …).
    case io(path: String, reason: String)

    /// The file or folder the error is about.
    public var path: String {
        switch self {
        case .notAnArray(let p), .alreadyExists(let p), .invalidMetadata(let p, _), .unsupportedDType(let p, _),
             .unknownCompressor(let p, _), .unknownCodec(let p, _), .unsupportedFeature(let p, _),
             .corruptChunk(let p, _), .outOfBounds(let p, _, _), .invalidArgument(let p, _), .io(let p, _):
            return p
        }
    }

    public var description: String {
        switch self {
        case .notAnArray(let p):
            return "\(p): not a Zarr array (no .zarray or zarr.json)"
        case .alreadyExists(let p):
            return "\(p): a Zarr array already exists here (remove it or pass overwrite)"
        case .invalidMetadata(let p, let reason):
            return "\(p): invalid Zarr metadata: \(reason)"
        case .unsupportedDType(let p, let dtype):
            return "\(p): unsupported dtype '\(dtype)' (Trowel reads uint8, uint16, int16, uint32, int32, float32, float64)"
        case .unknownCompressor(let p, let name):
            return "\(p): unknown compressor '\(name)' (Trowel reads zlib, gzip, zstd, blosc)"
        case .unknownCodec(let p, let name):
            return "\(p): unknown codec '\(name)' (Trowel reads bytes, gzip, zstd, blosc, crc32c)"
        case .unsupportedFeature(let p, let feature):
            return "\(p): \(feature) is not supported"
        case .corruptChunk(let p, let reason):
            return "\(p): \(reason)"
        case .outOfBounds(let p, let box, let shape):
            return "\(p): box \(box) is outside the array of shape \(shape)"
        case .invalidArgument(let p, let reason):
            return "\(p): \(reason)"
        case .io(let p, let reason):
            return "\(p): \(reason)"
        }
    }
}
