import Foundation

/// The Zarr format version of an array on disk.
public enum ZarrFormat: Int, Sendable, Equatable {
    case v2 = 2, v3 = 3
}

/// Everything Trowel needs from `.zarray` (v2) or `zarr.json` (v3), validated: an array of rank 1–3
/// seen as 3D (missing leading axes have size 1), in C order, with a chunk codec chain it can run.
struct ZarrMetadata: Sendable, Equatable {
    var format: ZarrFormat
    /// Dimensions on disk (1, 2 or 3); `shape` and `chunks` are padded to 3D with leading 1s.
    var rank: Int
    var shape: Shape
    var chunks: Shape
    var dtype: DType
    var byteOrder: ByteOrder
    var fillValue: Double
    var keyEncoding: ChunkKeyEncoding
    /// Bytes-to-bytes codecs in the order they are applied when writing (reversed when reading).
    var codecs: [ChunkCodec]
    /// v3 `attributes` (v2 keeps them in `.zattrs`).
    var attributes: [String: JSONValue] = [:]

    static let v2File = ".zarray"
    /// The largest chunk Trowel decodes: 2^31 voxels (2 GiB of uint8); zarr-python's own chunks are far smaller.
    static let maximumChunkVoxels = 1 << 31
    static let v3File = "zarr.json"

    /// Reads and validates the metadata of the array in `folder`, v3 first, then v2.
    static func load(arrayAt folder: String) throws(ZarrError) -> ZarrMetadata {
        let v3Path = folder + "/" + v3File
        if let bytes = try AtomicFile.read(v3Path) {
            return try parseV3(json(bytes, path: v3Path), path: v3Path)
        }
        let v2Path = folder + "/" + v2File
        if let bytes = try AtomicFile.read(v2Path) {
            return try parseV2(json(bytes, path: v2Path), path: v2Path)
        }
        if FileManager.default.fileExists(atPath: folder + "/.zgroup") {
            throw .invalidMetadata(path: folder, reason: "this is a Zarr group, not an array (open one of its arrays, e.g. \(folder)/0)")
        }
        throw .notAnArray(path: folder)
    }

    /// True when `folder` holds a Zarr group rather than an array: a v2 `.zgroup` or `.zattrs` (and
    /// no `.zarray`), or a v3 `zarr.json` whose node_type is "group".
    static func isGroup(folder: String) -> Bool {
        let fm = FileManager.default
        if fm.fileExists(atPath: folder + "/" + v2File) { return false }
        let v3Path = folder + "/" + v3File
        guard fm.fileExists(atPath: v3Path) else {
            return fm.fileExists(atPath: folder + "/.zgroup") || fm.fileExists(atPath: folder + "/.zattrs")
        }
        guard let bytes = try? AtomicFile.read(v3Path), let value = JSONValue(parsing: Data(bytes)) else { return false }
        return value["node_type"]?.stringValue == "group"
    }

    static func json(_ bytes: [UInt8], path: String) throws(ZarrError) -> JSONValue {
        guard let value = JSONValue(parsing: Data(bytes)) else {
            throw .invalidMetadata(path: path, reason: bytes.isEmpty ? "the file is empty" : "not valid JSON")
        }
        guard value.objectValue != nil else { throw .invalidMetadata(path: path, reason: "not a JSON object") }
        return value
    }

    // MARK: Zarr v2

    static func parseV2(_ meta: JSONValue, path: String) throws(ZarrError) -> ZarrMetadata {
        guard meta["zarr_format"]?.intValue == 2 else {
            throw .invalidMetadata(path: path, reason: "zarr_format is not 2")
        }
        let (rank, shape, chunks) = try geometry(shape: meta["shape"], chunks: meta["chunks"], path: path)
        guard let dtypeText = meta["dtype"]?.stringValue else {
            throw .unsupportedDType(path: path, dtype: meta["dtype"].map { "\($0)" } ?? "missing")
        }
        let (dtype, byteOrder) = try parseV2DType(dtypeText, path: path)
        if let order = meta["order"]?.stringValue, order != "C" {
            throw .unsupportedFeature(path: path, feature: "order '\(order)' (Trowel reads C-order arrays)")
        }
        if let filters = meta["filters"], !filters.isNull, filters.arrayValue?.isEmpty != true {
            let ids = filters.arrayValue?.compactMap { $0["id"]?.stringValue }.joined(separator: ", ") ?? "\(filters)"
            throw .unsupportedFeature(path: path, feature: "the filters [\(ids)]")
        }
        let separator = meta["dimension_separator"]?.stringValue ?? "."
        guard separator == "." || separator == "/" else {
            throw .invalidMetadata(path: path, reason: "dimension_separator '\(separator)' is neither '.' nor '/'")
        }
        var codecs: [ChunkCodec] = []
        if let compressor = meta["compressor"], !compressor.isNull {
            let c = try parseV2Compressor(compressor, typeSize: dtype.size, path: path)
            if c != .none { codecs.append(.compressor(c)) }
        }
        return ZarrMetadata(format: .v2, rank: rank, shape: shape, chunks: chunks, dtype: dtype, byteOrder: byteOrder,
                            fillValue: try fillValue(meta["fill_value"], dtype: dtype, path: path),
                            keyEncoding: .v2(separator: separator), codecs: codecs)
    }

    static func parseV2DType(_ text: String, path: String) throws(ZarrError) -> (DType, ByteOrder) {
        guard text.count >= 3, let first = text.first, "<>|=".contains(first) else {
            throw .unsupportedDType(path: path, dtype: text)
        }
        let code = String(text.dropFirst())
        let table: [String: DType] = ["u1": .u8, "u2": .u16, "i2": .i16, "u4": .u32, "i4": .i32, "f4": .f32, "f8": .f64]
        guard let dtype = table[code] else { throw .unsupportedDType(path: path, dtype: text) }
        let order: ByteOrder = first == ">" ? .big : (first == "<" ? .little : .native)
        return (dtype, order)
    }

    static func parseV2Compressor(_ c: JSONValue, typeSize: Int, path: String) throws(ZarrError) -> ZarrCompressor {
        guard let id = c["id"]?.stringValue else {
            throw .invalidMetadata(path: path, reason: "compressor has no 'id'")
        }
        let level = c["level"]?.intValue
        switch id {
        case "zlib": return .zlib(level: level ?? 1)
        case "gzip": return .gzip(level: level ?? 1)
        case "zstd": return .zstd(level: level ?? 0)
        case "blosc":
            let cname = c["cname"]?.stringValue ?? "lz4"
            let shuffleCode = c["shuffle"]?.intValue ?? 1
            let shuffle: BloscShuffle
            switch shuffleCode {
            case -1: shuffle = typeSize > 1 ? .byte : .bit  // numcodecs AUTOSHUFFLE
            case 0, 1, 2: shuffle = BloscShuffle(rawValue: shuffleCode) ?? .byte
            default: throw .invalidMetadata(path: path, reason: "blosc shuffle \(shuffleCode) is not -1, 0, 1 or 2")
            }
            return try blosc(cname: cname, clevel: c["clevel"]?.intValue ?? 5, shuffle: shuffle,
                             blocksize: c["blocksize"]?.intValue ?? 0, path: path)
        default:
            throw .unknownCompressor(path: path, name: id)
        }
    }

    static func blosc(cname: String, clevel: Int, shuffle: BloscShuffle, blocksize: Int,
                      path: String) throws(ZarrError) -> ZarrCompressor {
        guard ZarrCompressor.bloscSupports(cname) else {
            throw .unsupportedFeature(path: path, feature: "blosc compressor '\(cname)' (not built into this libblosc)")
        }
        return .blosc(cname: cname, clevel: clevel, shuffle: shuffle, blocksize: blocksize)
    }

    /// The `.zarray` Trowel writes.
    var v2JSON: JSONValue {
        let compressor: JSONValue
        switch codecs.first {
        case nil, .compressor(.none)?, .crc32c?: compressor = .null
        case .compressor(.zlib(let level))?: compressor = ["id": "zlib", "level": .number(Double(level))]
        case .compressor(.gzip(let level))?: compressor = ["id": "gzip", "level": .number(Double(level))]
        case .compressor(.zstd(let level))?: compressor = ["id": "zstd", "level": .number(Double(level))]
        case .compressor(.blosc(let cname, let clevel, let shuffle, let blocksize))?:
            compressor = ["id": "blosc", "cname": .string(cname), "clevel": .number(Double(clevel)),
                          "shuffle": .number(Double(shuffle.rawValue)), "blocksize": .number(Double(blocksize))]
        }
        return [
            "zarr_format": 2,
            "shape": .array(shape.array.suffix(rank).map { .number(Double($0)) }),
            "chunks": .array(chunks.array.suffix(rank).map { .number(Double($0)) }),
            "dtype": .string(v2DTypeName),
            "compressor": compressor,
            "fill_value": Self.fillJSON(fillValue, dtype: dtype),
            "order": "C",
            "filters": nil,
            "dimension_separator": .string(keyEncoding.separator),
        ]
    }

    var v2DTypeName: String {
        let code: String
        switch dtype {
        case .u8: return "|u1"
        case .u16: code = "u2"
        case .i16: code = "i2"
        case .u32: code = "u4"
        case .i32: code = "i4"
        case .f32: code = "f4"
        case .f64: code = "f8"
        }
        return (byteOrder == .big ? ">" : "<") + code
    }

    static func fillJSON(_ value: Double, dtype: DType) -> JSONValue {
        if value.isNaN { return "NaN" }
        if value == .infinity { return "Infinity" }
        if value == -.infinity { return "-Infinity" }
        return .number(dtype.isFloatingPoint ? value : value.rounded())
    }

    // MARK: Zarr v3

    static func parseV3(_ meta: JSONValue, path: String) throws(ZarrError) -> ZarrMetadata {
        guard meta["zarr_format"]?.intValue == 3 else {
            throw .invalidMetadata(path: path, reason: "zarr_format is not 3")
        }
        if let kind = meta["node_type"]?.stringValue, kind != "array" {
            throw .invalidMetadata(path: path, reason: "node_type is '\(kind)': this is a Zarr \(kind), not an array")
        }
        guard let grid = meta["chunk_grid"], grid["name"]?.stringValue == "regular" else {
            let name = meta["chunk_grid"]?["name"]?.stringValue ?? "missing"
            throw .unsupportedFeature(path: path, feature: "chunk grid '\(name)' (Trowel reads regular grids)")
        }
        let (rank, shape, chunks) = try geometry(shape: meta["shape"], chunks: grid["configuration"]?["chunk_shape"], path: path)
        guard let typeName = meta["data_type"]?.stringValue else {
            throw .unsupportedDType(path: path, dtype: meta["data_type"].map { "\($0)" } ?? "missing")
        }
        guard let dtype = DType.allCases.first(where: { $0.numpyName == typeName }) else {
            throw .unsupportedDType(path: path, dtype: typeName)
        }
        if let transformers = meta["storage_transformers"]?.arrayValue, !transformers.isEmpty {
            throw .unsupportedFeature(path: path, feature: "storage transformers")
        }
        let keyEncoding: ChunkKeyEncoding
        let keyName = meta["chunk_key_encoding"]?["name"]?.stringValue ?? "default"
        let keySeparator = meta["chunk_key_encoding"]?["configuration"]?["separator"]?.stringValue
        switch keyName {
        case "default": keyEncoding = .v3Default(separator: keySeparator ?? "/")
        case "v2": keyEncoding = .v2(separator: keySeparator ?? ".")
        default: throw .unsupportedFeature(path: path, feature: "chunk key encoding '\(keyName)'")
        }
        guard keyEncoding.separator == "/" || keyEncoding.separator == "." else {
            throw .invalidMetadata(path: path, reason: "chunk key separator '\(keyEncoding.separator)' is neither '.' nor '/'")
        }
        let (byteOrder, codecs) = try parseV3Codecs(meta["codecs"], dtype: dtype, path: path)
        return ZarrMetadata(format: .v3, rank: rank, shape: shape, chunks: chunks, dtype: dtype, byteOrder: byteOrder,
                            fillValue: try fillValue(meta["fill_value"], dtype: dtype, path: path),
                            keyEncoding: keyEncoding, codecs: codecs,
                            attributes: meta["attributes"]?.objectValue ?? [:])
    }

    static func parseV3Codecs(_ list: JSONValue?, dtype: DType, path: String) throws(ZarrError) -> (ByteOrder, [ChunkCodec]) {
        guard let list = list?.arrayValue, !list.isEmpty else {
            throw .invalidMetadata(path: path, reason: "'codecs' is missing or empty")
        }
        var byteOrder: ByteOrder?
        var codecs: [ChunkCodec] = []
        for entry in list {
            guard let name = entry.stringValue ?? entry["name"]?.stringValue else {
                throw .invalidMetadata(path: path, reason: "a codec has no 'name'")
            }
            let config = entry["configuration"] ?? [:]
            let level = config["level"]?.intValue
            if byteOrder == nil {
                switch name {
                case "bytes":
                    switch config["endian"]?.stringValue {
                    case "big": byteOrder = .big
                    case "little": byteOrder = .little
                    case nil where dtype.size == 1: byteOrder = .little
                    default:
                        throw .invalidMetadata(path: path, reason: "the bytes codec needs 'endian' little or big")
                    }
                case "transpose":
                    let order = config["order"]?.intArray
                    if order != nil && order == Array(0..<(order?.count ?? 0)) { continue }  // identity
                    throw .unsupportedFeature(path: path, feature: "the transpose codec (non-C element order)")
                case "sharding_indexed":
                    throw .unsupportedFeature(path: path, feature: "sharding (codec 'sharding_indexed'); rewrite the array without shards")
                case "gzip", "zlib", "numcodecs.zlib", "zstd", "blosc", "crc32c":
                    throw .invalidMetadata(path: path, reason: "codec '\(name)' comes before the 'bytes' codec")
                default:
                    throw .unknownCodec(path: path, name: name)
                }
                continue
            }
            switch name {
            case "gzip": codecs.append(.compressor(.gzip(level: level ?? 5)))
            case "zlib", "numcodecs.zlib": codecs.append(.compressor(.zlib(level: level ?? 1)))
            case "zstd": codecs.append(.compressor(.zstd(level: level ?? 0)))
            case "crc32c": codecs.append(.crc32c)
            case "blosc":
                let shuffleName = config["shuffle"]?.stringValue ?? "noshuffle"
                guard let shuffle = BloscShuffle(v3Name: shuffleName) else {
                    throw .invalidMetadata(path: path, reason: "blosc shuffle '\(shuffleName)' is not noshuffle, shuffle or bitshuffle")
                }
                codecs.append(.compressor(try blosc(cname: config["cname"]?.stringValue ?? "zstd",
                                                    clevel: config["clevel"]?.intValue ?? 5, shuffle: shuffle,
                                                    blocksize: config["blocksize"]?.intValue ?? 0, path: path)))
            case "sharding_indexed":
                throw .unsupportedFeature(path: path, feature: "sharding (codec 'sharding_indexed'); rewrite the array without shards")
            default:
                throw .unknownCodec(path: path, name: name)
            }
        }
        guard let byteOrder else {
            throw .invalidMetadata(path: path, reason: "no array-to-bytes codec ('bytes') in 'codecs'")
        }
        return (byteOrder, codecs)
    }

    // MARK: Shared

    static func geometry(shape: JSONValue?, chunks: JSONValue?, path: String) throws(ZarrError) -> (Int, Shape, Shape) {
        guard let s = shape?.intArray, s.allSatisfy({ $0 >= 0 }) else {
            throw .invalidMetadata(path: path, reason: "'shape' is not a list of non-negative integers")
        }
        guard let c = chunks?.intArray, c.allSatisfy({ $0 > 0 }) else {
            throw .invalidMetadata(path: path, reason: "chunk shape is not a list of positive integers")
        }
        guard s.count == c.count else {
            throw .invalidMetadata(path: path, reason: "shape \(s) and chunks \(c) differ in rank")
        }
        guard (1...3).contains(s.count) else {
            throw .unsupportedFeature(path: path, feature: "a rank-\(s.count) array (shape \(s)); Trowel reads 1D, 2D and 3D arrays")
        }
        let pad = Array(repeating: 1, count: 3 - s.count)
        let shape = Shape(pad + s)!, chunkShape = Shape(pad + c)!
        if let problem = shape.sizeProblem { throw .invalidMetadata(path: path, reason: "shape \(s): \(problem)") }
        guard let chunkVoxels = chunkShape.checkedVoxelCount, chunkVoxels <= maximumChunkVoxels else {
            throw .unsupportedFeature(path: path, feature: "chunks \(c) of more than \(maximumChunkVoxels) voxels (Trowel decodes a chunk at a time; rechunk the array)")
        }
        return (s.count, shape, chunkShape)
    }

    static func fillValue(_ value: JSONValue?, dtype: DType, path: String) throws(ZarrError) -> Double {
        switch value {
        case nil, .null?: return 0
        case .number(let n)?: return n
        case .bool(let b)?: return b ? 1 : 0
        case .string(let s)?:
            switch s {
            case "NaN", "nan": return .nan
            case "Infinity", "inf": return .infinity
            case "-Infinity", "-inf": return -.infinity
            default:
                if s.hasPrefix("0x"), let bits = UInt64(s.dropFirst(2), radix: 16) {
                    if dtype == .f32, bits <= UInt64(UInt32.max) { return Double(Float(bitPattern: UInt32(bits))) }
                    if dtype == .f64 { return Double(bitPattern: bits) }
                }
                if let n = Double(s) { return n }
            }
        default: break
        }
        throw .invalidMetadata(path: path, reason: "fill_value \(value.map { "\($0)" } ?? "") is not a number, NaN, Infinity, -Infinity or null")
    }
}
