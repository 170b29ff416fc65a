import CBlosc

/// How Blosc rearranges bytes before compressing: not at all, byte-wise, or bit-wise.
public enum BloscShuffle: Int, Sendable, Equatable, CaseIterable {
    case none = 0, byte = 1, bit = 2

    /// The Zarr v3 spelling: `noshuffle`, `shuffle`, `bitshuffle`.
    public var v3Name: String {
        switch self {
        case .none: return "noshuffle"
        case .byte: return "shuffle"
        case .bit: return "bitshuffle"
        }
    }

    public init?(v3Name: String) {
        guard let s = BloscShuffle.allCases.first(where: { $0.v3Name == v3Name }) else { return nil }
        self = s
    }
}

/// A bytes-to-bytes compressor of Zarr chunks, as named in `.zarray` (`compressor.id`) or
/// `zarr.json` (`codecs[].name`).
public enum ZarrCompressor: Sendable, Equatable {
    case none
    /// zlib-wrapped deflate (numcodecs `zlib`).
    case zlib(level: Int)
    /// gzip-wrapped deflate (numcodecs `gzip`, Zarr v3 `gzip`).
    case gzip(level: Int)
    case zstd(level: Int)
    /// Blosc 1 with an inner compressor `cname` (`lz4`, `lz4hc`, `zstd`, `zlib`, `blosclz`);
    /// `blocksize` 0 lets Blosc choose.
    case blosc(cname: String, clevel: Int, shuffle: BloscShuffle, blocksize: Int)

    /// zarr-python 2's default: Blosc lz4, level 5, byte shuffle.
    public static let bloscDefault = ZarrCompressor.blosc(cname: "lz4", clevel: 5, shuffle: .byte, blocksize: 0)

    /// The name used in metadata and messages.
    public var name: String {
        switch self {
        case .none: return "none"
        case .zlib: return "zlib"
        case .gzip: return "gzip"
        case .zstd: return "zstd"
        case .blosc(let cname, _, _, _): return "blosc-\(cname)"
        }
    }

    /// Why chunks cannot be written with these settings (a level out of range, a blosc codec this
    /// libblosc lacks), or nil when they can.
    public var problem: String? {
        switch self {
        case .none: return nil
        case .zlib(let level), .gzip(let level):
            return (0...9).contains(level) ? nil : "\(name) level \(level) is not 0–9"
        case .zstd(let level):
            return (-131_072...22).contains(level) ? nil : "zstd level \(level) is not -131072–22"
        case .blosc(let cname, let clevel, _, let blocksize):
            guard ZarrCompressor.bloscSupports(cname) else {
                return "blosc compressor '\(cname)' is not available (try lz4, lz4hc, zstd, zlib, blosclz)"
            }
            return (0...9).contains(clevel) && blocksize >= 0 ? nil : "blosc clevel \(clevel) is not 0–9 or blocksize \(blocksize) is negative"
        }
    }

    /// Parses the names `trowel convert --compressor` takes: `zstd`, `zstd:5`, `blosc-zstd`, `blosc-lz4:5`,
    /// `zlib`, `gzip`, `none` (blosc with byte shuffle, which suits integer CT data).
    public init?(parsing text: String) {
        let parts = text.lowercased().split(separator: ":")
        guard let name = parts.first, parts.count <= 2 else { return nil }
        var level: Int?
        if parts.count == 2 {
            guard let l = Int(parts[1]) else { return nil }
            level = l
        }
        switch name {
        case "none": self = .none
        case "zlib": self = .zlib(level: level ?? 5)
        case "gzip": self = .gzip(level: level ?? 5)
        case "zstd": self = .zstd(level: level ?? 3)
        case "blosc-zstd", "blosc-lz4", "blosc-lz4hc", "blosc-zlib":
            self = .blosc(cname: String(name.dropFirst(6)), clevel: level ?? 5, shuffle: .byte, blocksize: 0)
        default: return nil
        }
    }

    /// A short description with the level, for `trowel info`: `zstd level 3`, `blosc-lz4 level 5, byte shuffle`.
    public var summary: String {
        switch self {
        case .none: return "uncompressed"
        case .zlib(let level), .gzip(let level), .zstd(let level): return "\(name) level \(level)"
        case .blosc(_, let clevel, let shuffle, _):
            let s = shuffle == .none ? "no shuffle" : shuffle == .byte ? "byte shuffle" : "bit shuffle"
            return "\(name) level \(clevel), \(s)"
        }
    }

    /// Blosc inner compressors this machine's libblosc can use.
    static func bloscSupports(_ cname: String) -> Bool {
        cname.withCString { blosc_compname_to_compcode($0) } >= 0
    }

    /// Compresses `source` (elements of `typeSize` bytes, which Blosc shuffles by).
    func encode(_ source: UnsafeRawBufferPointer, typeSize: Int) throws(CodecFailure) -> [UInt8] {
        switch self {
        case .none: return Array(source)
        case .zlib(let level): return try Deflate.compress(source, level: level, gzip: false)
        case .gzip(let level): return try Deflate.compress(source, level: level, gzip: true)
        case .zstd(let level): return try Zstd.compress(source, level: level)
        case .blosc(let cname, let clevel, let shuffle, let blocksize):
            return try Blosc.compress(source, cname: cname, clevel: clevel, shuffle: shuffle,
                                      typeSize: typeSize, blocksize: blocksize)
        }
    }

    /// Decompresses `source` into exactly `destination.count` bytes; anything else is a failure.
    func decode(_ source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer) throws(CodecFailure) {
        switch self {
        case .none:
            guard source.count == destination.count else {
                throw CodecFailure(source.count < destination.count
                    ? "truncated uncompressed chunk (\(source.count) bytes, expected \(destination.count))"
                    : "uncompressed chunk has \(source.count) bytes, expected \(destination.count)")
            }
            if let d = destination.baseAddress, let s = source.baseAddress { d.copyMemory(from: s, byteCount: source.count) }
        case .zlib: try Deflate.decompress(source, into: destination, format: "zlib")
        case .gzip: try Deflate.decompress(source, into: destination, format: "gzip")
        case .zstd: try Zstd.decompress(source, into: destination)
        case .blosc: try Blosc.decompress(source, into: destination)
        }
    }

    /// Decompresses `source` whose decoded size is not known in advance (a codec in the middle of a v3 chain).
    func decode(_ source: UnsafeRawBufferPointer) throws(CodecFailure) -> [UInt8] {
        switch self {
        case .none: return Array(source)
        case .zlib: return try Deflate.decompress(source, format: "zlib")
        case .gzip: return try Deflate.decompress(source, format: "gzip")
        case .zstd: return try Zstd.decompress(source)
        case .blosc: return try Blosc.decompress(source)
        }
    }
}
