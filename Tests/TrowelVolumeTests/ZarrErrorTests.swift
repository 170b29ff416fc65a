import Foundation
import Testing
@testable import TrowelVolume

/// Bad input gives one line naming the file and what is wrong; never fill in place of a bad chunk.
@Suite struct ZarrErrorTests {
    static let compressors: [ZarrCompressor] = [
        .none, .zlib(level: 6), .gzip(level: 5), .zstd(level: 3),
        .blosc(cname: "lz4", clevel: 5, shuffle: .byte, blocksize: 0),
    ]

    /// An array with every chunk written; returns it and the path of chunk (0, 0, 0).
    func writtenArray(_ tmp: TemporaryFolder, _ compressor: ZarrCompressor) throws -> (ZarrArray, String) {
        let array = try ZarrArray.create(at: tmp("bad.zarr"), shape: .cube(8), chunks: .cube(8), dtype: .u16, compressor: compressor)
        try array.write(testBlock(.u16, shape: .cube(8)), at: .zero)
        return (array, array.chunkURL(.zero).path)
    }

    @Test(arguments: compressors)
    func truncatedChunkNamesTheFile(_ compressor: ZarrCompressor) throws {
        let tmp = TemporaryFolder()
        defer { tmp.remove() }
        let (array, chunk) = try writtenArray(tmp, compressor)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: chunk))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: chunk))
        let error = zarrError { _ = try ZarrArray.open(at: array.url).read(Shape.cube(8).box) }
        guard case .corruptChunk(let path, _)? = error else { Issue.record("expected corruptChunk, got \(String(describing: error))"); return }
        #expect(path == chunk)
        #expect(error!.description.hasPrefix(chunk + ": "))
        #expect(error!.description.contains("truncated") || error!.description.contains("corrupt"))
        #expect(!error!.description.contains("\n"))
    }

    @Test(arguments: compressors.dropFirst())
    func corruptChunkNamesTheFile(_ compressor: ZarrCompressor) throws {
        let tmp = TemporaryFolder()
        defer { tmp.remove() }
        let (array, chunk) = try writtenArray(tmp, compressor)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: chunk)))
        for i in 0..<min(12, bytes.count) { bytes[i] ^= 0xA5 }
        try Data(bytes).write(to: URL(fileURLWithPath: chunk))
        let error = zarrError { _ = try array.read(Shape.cube(8).box) }
        guard case .corruptChunk(let path, _)? = error else { Issue.record("expected corruptChunk, got \(String(describing: error))"); return }
        #expect(path == chunk)
    }

    @Test func chunkOfTheWrongSizeIsAnError() throws {
        let tmp = TemporaryFolder()
        defer { tmp.remove() }
        let (array, chunk) = try writtenArray(tmp, .blosc(cname: "lz4", clevel: 5, shuffle: .byte, blocksize: 0))
        let small = try ZarrArray.create(at: tmp("small.zarr"), shape: .cube(4), chunks: .cube(4), dtype: .u16,
                                         compressor: .blosc(cname: "lz4", clevel: 5, shuffle: .byte, blocksize: 0))
        try small.write(Block<UInt16>(shape: .cube(4), repeating: 1), at: .zero)
        try FileManager.default.removeItem(atPath: chunk)
        try FileManager.default.copyItem(atPath: small.chunkURL(.zero).path, toPath: chunk)
        let error = zarrError { _ = try array.read(Shape.cube(8).box) }
        #expect(error?.description == "\(chunk): blosc chunk holds 128 bytes, expected 1024")
    }

    /// Writes `.zarray` text into a fresh array folder and returns the error opening it gives.
    func openError(_ tmp: TemporaryFolder, zarray: String, file: String = ".zarray") throws -> ZarrError? {
        let url = tmp("meta.zarr")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        try Data(zarray.utf8).write(to: url.appendingPathComponent(file))
        return zarrError { _ = try ZarrArray.open(at: url) }
    }

    static let v2 = #"{"zarr_format":2,"shape":[4,4,4],"chunks":[2,2,2],"dtype":"<u2","compressor":null,"fill_value":0,"order":"C","filters":null}"#

    @Test func unknownCompressorNamesFileAndCompressor() throws {
        let tmp = TemporaryFolder()
        defer { tmp.remove() }
        let error = try openError(tmp, zarray: Self.v2.replacingOccurrences(of: #""compressor":null"#, with: #""compressor":{"id":"lzma","preset":6}"#))
        let file = tmp("meta.zarr").appendingPathComponent(".zarray").standardizedFileURL.path
        #expect(error == .unknownCompressor(path: file, name: "lzma"))
        #expect(error?.description.hasPrefix("\(file): unknown compressor 'lzma'") == true)
    }

    @Test func unknownDTypeNamesFileAndDType() throws {
        let tmp = TemporaryFolder()
        defer { tmp.remove() }
        let error = try openError(tmp, zarray: Self.v2.replacingOccurrences(of: "<u2", with: "<c8"))
        #expect(error?.description.contains(".zarray: unsupported dtype '<c8'") == true)
        let v3 = try openError(tmp, zarray: Self.v3(dataType: "int64"), file: "zarr.json")
        #expect(v3?.description.contains("zarr.json: unsupported dtype 'int64'") == true)
    }

    @Test func rankFourArrayIsRefused() throws {
        let tmp = TemporaryFolder()
        defer { tmp.remove() }
        let error = try openError(tmp, zarray: Self.v2.replacingOccurrences(of: #""shape":[4,4,4],"chunks":[2,2,2]"#, with: #""shape":[2,4,4,4],"chunks":[1,2,2,2]"#))
        guard case .unsupportedFeature(let path, let feature)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(path.hasSuffix("meta.zarr/.zarray"))
        #expect(feature.contains("rank-4"))
    }

    @Test func filtersFortranOrderAndBadJSONAreRefused() throws {
        let tmp = TemporaryFolder()
        defer { tmp.remove() }
        let filters = try openError(tmp, zarray: Self.v2.replacingOccurrences(of: #""filters":null"#, with: #""filters":[{"id":"delta","dtype":"<u2"}]"#))
        #expect(filters?.description.contains("the filters [delta] is not supported") == true)
        let fortran = try openError(tmp, zarray: Self.v2.replacingOccurrences(of: #""order":"C""#, with: #""order":"F""#))
        #expect(fortran?.description.contains("order 'F'") == true)
        let broken = try openError(tmp, zarray: "{\"zarr_format\": 2, \"shape\": [4,")
        #expect(broken?.description.hasSuffix(".zarray: invalid Zarr metadata: not valid JSON") == true)
        let missing = zarrError { _ = try ZarrArray.open(at: tmp("nothing.zarr")) }
        #expect(missing?.description.hasSuffix("nothing.zarr: not a Zarr array (no .zarray or zarr.json)") == true)
    }

    /// `MultiscaleVolume` (how convert, eval and mesh open Zarr) used to swallow the array's own
    /// error with `try?` and report "no OME-NGFF 'multiscales' attribute" instead.
    @Test func aMultiscaleVolumeReportsTheArraysOwnFault() throws {
        let tmp = TemporaryFolder()
        defer { tmp.remove() }
        let url = tmp("meta.zarr")
        let file = url.appendingPathComponent(".zarray").standardizedFileURL.path
        for (text, fault) in [("{\"zarr_format\": 2, \"shape\": [4,", "not valid JSON"),
                              (Self.v2.replacingOccurrences(of: "[4,4,4]", with: "[-4,4,4]"), "non-negative"),
                              (Self.v2.replacingOccurrences(of: "<u2", with: "<c16"), "unsupported dtype '<c16'")] {
            _ = try openError(tmp, zarray: text)
            let error = zarrError { _ = try MultiscaleVolume.open(at: url) }
            #expect(error?.path == file, "\(String(describing: error))")
            #expect(error?.description.contains(fault) == true, "\(String(describing: error))")
        }
        let v3 = try openError(tmp, zarray: Self.v3(codecs: #"[{"name":"bytes","configuration":{"endian":"little"}},{"name":"lzma"}]"#), file: "zarr.json")
        #expect(v3 != nil)
        try FileManager.default.removeItem(at: url.appendingPathComponent(".zarray"))
        let error = zarrError { _ = try MultiscaleVolume.open(at: url) }
        #expect(error?.description.contains("zarr.json: unknown codec 'lzma'") == true, "\(String(describing: error))")
        // A folder with no Zarr metadata at all is not an array, not a group without multiscales.
        let nothing = zarrError { _ = try MultiscaleVolume.open(at: tmp("nothing.zarr")) }
        #expect(nothing?.description.hasSuffix("nothing.zarr: not a Zarr array (no .zarray or zarr.json)") == true, "\(String(describing: nothing))")
    }

    /// Shapes and chunks whose voxel count overflows an Int are refused, naming the file.
    @Test func anOverflowingShapeOrChunkIsRefused() throws {
        let tmp = TemporaryFolder()
        defer { tmp.remove() }
        let shape = try openError(tmp, zarray: Self.v2.replacingOccurrences(of: "[4,4,4]", with: "[4000000000000000,4000000000000000,4]"))
        #expect(shape?.description.contains("more than Trowel can address") == true, "\(String(describing: shape))")
        let chunks = try openError(tmp, zarray: Self.v2.replacingOccurrences(of: "[2,2,2]", with: "[4000000,4000000,4000000]"))
        #expect(chunks?.description.contains("rechunk") == true, "\(String(describing: chunks))")
    }

    static func v3(dataType: String = "uint16", codecs: String = #"[{"name":"bytes","configuration":{"endian":"little"}}]"#) -> String {
        #"{"zarr_format":3,"node_type":"array","shape":[4,4,4],"data_type":"\#(dataType)","chunk_grid":{"name":"regular","configuration":{"chunk_shape":[2,2,2]}},"chunk_key_encoding":{"name":"default","configuration":{"separator":"/"}},"fill_value":0,"codecs":\#(codecs)}"#
    }

    @Test func v3UnknownCodecAndShardingAreRefused() throws {
        let tmp = TemporaryFolder()
        defer { tmp.remove() }
        let unknown = try openError(tmp, zarray: Self.v3(codecs: #"[{"name":"bytes","configuration":{"endian":"little"}},{"name":"lzma"}]"#), file: "zarr.json")
        #expect(unknown?.description.contains("zarr.json: unknown codec 'lzma'") == true)
        let sharded = try openError(tmp, zarray: Self.v3(codecs: #"[{"name":"sharding_indexed","configuration":{}}]"#), file: "zarr.json")
        #expect(sharded?.description.contains("sharding") == true)
        let transposed = try openError(tmp, zarray: Self.v3(codecs: #"[{"name":"transpose","configuration":{"order":[2,1,0]}},{"name":"bytes"}]"#), file: "zarr.json")
        #expect(transposed?.description.contains("transpose") == true)
    }

    @Test func v3Crc32cChunksAreVerified() throws {
        let tmp = TemporaryFolder()
        defer { tmp.remove() }
        let url = tmp("crc.zarr")
        try FileManager.default.createDirectory(at: url.appendingPathComponent("c/0/0"), withIntermediateDirectories: true)
        let meta = Self.v3(dataType: "uint8", codecs: #"[{"name":"bytes"},{"name":"crc32c"}]"#)
            .replacingOccurrences(of: "[2,2,2]", with: "[4,4,4]")
        try Data(meta.utf8).write(to: url.appendingPathComponent("zarr.json"))
        let payload = [UInt8](0..<64)
        let crc = payload.withUnsafeBytes { CRC32C.checksum($0) }
        let chunk = payload + [UInt8(crc & 0xFF), UInt8((crc >> 8) & 0xFF), UInt8((crc >> 16) & 0xFF), UInt8(crc >> 24)]
        try Data(chunk).write(to: url.appendingPathComponent("c/0/0/0"))
        #expect(try ZarrArray.open(at: url).read(Shape.cube(4).box, as: UInt8.self).elements == payload)
        var bad = chunk
        bad[5] ^= 1
        try Data(bad).write(to: url.appendingPathComponent("c/0/0/0"))
        let error = zarrError { _ = try ZarrArray.open(at: url).read(Shape.cube(4).box) }
        #expect(error?.description.hasSuffix("c/0/0/0: corrupt chunk (crc32c checksum mismatch)") == true)
    }
}
