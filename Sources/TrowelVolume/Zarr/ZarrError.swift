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

    /// The same error about the file at `path` with its leading `prefix` replaced by `replacement`,
    /// e.g. a hidden staging folder by the name the user gave.
    public func replacingPathPrefix(_ prefix: String, with replacement: String) -> ZarrError {
        func fix(_ p: String) -> String { p.hasPrefix(prefix) ? replacement + p.dropFirst(prefix.count) : p }
        switch self {
        case .notAnArray(let p): return .notAnArray(path: fix(p))
        case .alreadyExists(let p): return .alreadyExists(path: fix(p))
        case .invalidMetadata(let p, let r): return .invalidMetadata(path: fix(p), reason: r)
        case .unsupportedDType(let p, let d): return .unsupportedDType(path: fix(p), dtype: d)
        case .unknownCompressor(let p, let n): return .unknownCompressor(path: fix(p), name: n)
        case .unknownCodec(let p, let n): return .unknownCodec(path: fix(p), name: n)
        case .unsupportedFeature(let p, let f): return .unsupportedFeature(path: fix(p), feature: f)
        case .corruptChunk(let p, let r): return .corruptChunk(path: fix(p), reason: r)
        case .outOfBounds(let p, let b, let s): return .outOfBounds(path: fix(p), box: b, shape: s)
        case .invalidArgument(let p, let r): return .invalidArgument(path: fix(p), reason: r)
        case .io(let p, let r): return .io(path: fix(p), reason: r)
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
