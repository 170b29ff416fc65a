import Foundation
import FuzzSupport
import TrowelVolume

// One Zarr chunk through Trowel's codec chain, as reading a scan meets it. The first byte picks the
// codec (none, zlib, gzip, zstd, blosc-lz4, blosc-zstd, blosc-zlib, or v3 bytes+crc32c, v3 zstd+crc32c),
// the second the dtype and byte order; the rest is the chunk file `0/0/0` of a 6×7×8 array with 4³
// chunks (so the chunk is an edge chunk that overhangs the array), read back whole.

let compressors: [ZarrCompressor] = [
    .none, .zlib(level: 1), .gzip(level: 5), .zstd(level: 3), .bloscDefault,
    .blosc(cname: "zstd", clevel: 3, shuffle: .bit, blocksize: 0),
    .blosc(cname: "zlib", clevel: 1, shuffle: .none, blocksize: 0),
]
let v3Chains = [
    #"[{"name": "bytes", "configuration": {"endian": "%E"}}, {"name": "crc32c"}]"#,
    #"[{"name": "bytes", "configuration": {"endian": "%E"}}, {"name": "zstd", "configuration": {"level": 1}}, {"name": "crc32c"}]"#,
]
let shape = Shape(z: 6, y: 7, x: 8), chunks = Shape(z: 4, y: 4, x: 4)

/// The arrays made so far, by codec, dtype and byte order: made once, then only the chunk changes.
nonisolated(unsafe) var arrays: [String: ZarrArray] = [:]

/// The array of this codec, dtype and byte order, made on first use.
func array(codec: Int, dtype: DType, bigEndian: Bool) throws -> ZarrArray {
    let key = "\(codec)-\(dtype.numpyName)-\(bigEndian ? "be" : "le")"
    if let a = arrays[key] { return a }
    let a = try makeArray(codec: codec, dtype: dtype, bigEndian: bigEndian,
                          in: Scratch.root.appendingPathComponent("arrays/\(key).zarr"))
    arrays[key] = a
    return a
}

/// The array the chunk belongs to, its metadata written by Trowel (v2) or as zarr-python writes v3.
func makeArray(codec: Int, dtype: DType, bigEndian: Bool, in folder: URL? = nil) throws -> ZarrArray {
    let folder = folder ?? Scratch.fresh().appendingPathComponent("in.zarr")
    if codec < compressors.count {
        _ = try ZarrArray.create(at: folder, shape: shape, chunks: chunks, dtype: dtype, compressor: compressors[codec])
        if bigEndian {  // the same array, declared big-endian
            let url = folder.appendingPathComponent(".zarray")
            let text = try String(contentsOf: url, encoding: .utf8).replacingOccurrences(of: "\"<", with: "\">")
            try Data(text.utf8).write(to: url)
        }
    } else {
        let codecs = v3Chains[codec - compressors.count].replacingOccurrences(of: "%E", with: bigEndian ? "big" : "little")
        let json = """
            {"zarr_format": 3, "node_type": "array", "shape": [6, 7, 8], "data_type": "\(dtype.numpyName)",
             "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [4, 4, 4]}},
             "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}},
             "fill_value": 0, "codecs": \(codecs)}
            """
        Scratch.file("zarr.json", Data(json.utf8), in: folder)
    }
    return try ZarrArray.open(at: folder)
}

func choice(_ data: Data) -> (codec: Int, dtype: DType, bigEndian: Bool)? {
    guard data.count >= 2 else { return nil }
    let bytes = [UInt8](data.prefix(2))
    let types = DType.allCases
    return (Int(bytes[0]) % (compressors.count + v3Chains.count), types[Int(bytes[1] >> 1) % types.count], bytes[1] & 1 == 1)
}

@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> Int32 {
    writeSeeds {
        var seeds: [(String, Data)] = []
        for codec in 0..<(compressors.count + v3Chains.count) {
            for (t, dtype) in DType.allCases.enumerated() where codec < compressors.count || t % 2 == 0 {
                let array = try makeArray(codec: codec, dtype: dtype, bigEndian: false)
                let block = Block<UInt8>(shape: chunks, elements: (0..<chunks.voxelCount).map { UInt8(($0 * 37) % 200) })
                if (try? array.write(block, at: .zero)) != nil, let chunk = try? Data(contentsOf: array.chunkURL(.zero)) {
                    seeds.append(("c\(codec)-\(dtype.numpyName)", Data([UInt8(codec), UInt8(t << 1)]) + chunk))
                }
            }
        }
        return seeds
    }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ pointer: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let data = fuzzData(pointer, size)
    guard let (codec, dtype, bigEndian) = choice(data), let array = try? array(codec: codec, dtype: dtype, bigEndian: bigEndian) else { return 0 }
    let chunkFile = array.chunkURL(.zero)
    try? FileManager.default.createDirectory(at: chunkFile.deletingLastPathComponent(), withIntermediateDirectories: true)
    FileManager.default.createFile(atPath: chunkFile.path, contents: data.dropFirst(2))
    _ = try? array.read(Box(z: 0..<shape.z, y: 0..<shape.y, x: 0..<shape.x))
    _ = try? array.readSlices(0..<2)
    return 0
}

@_cdecl("fuzz_zarr_chunk_main")
public func main(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runLibFuzzer(argc, argv, testOneInput)
}
