import Foundation
import Testing
@testable import TrowelVolume

/// Arrays written by zarr-python (Scripts/make-zarr-fixtures.py) read back exactly.
@Suite struct ZarrFixtureTests {
    struct Fixture: Sendable, CustomTestStringConvertible {
        var name: String
        var dtype: DType
        var format: ZarrFormat
        var testDescription: String { name }
    }

    static let fixtures: [Fixture] = [
        Fixture(name: "v2_blosc_lz4_u16", dtype: .u16, format: .v2),
        Fixture(name: "v2_blosc_zstd_bitshuffle_u16", dtype: .u16, format: .v2),
        Fixture(name: "v2_blosc_lz4hc_noshuffle_u8", dtype: .u8, format: .v2),
        Fixture(name: "v2_blosc_zlib_i32", dtype: .i32, format: .v2),
        Fixture(name: "v2_zlib_u16", dtype: .u16, format: .v2),
        Fixture(name: "v2_gzip_u8_slash", dtype: .u8, format: .v2),
        Fixture(name: "v2_zstd_u16_slash", dtype: .u16, format: .v2),
        Fixture(name: "v2_zstd_u16_dot", dtype: .u16, format: .v2),
        Fixture(name: "v2_none_be_u16", dtype: .u16, format: .v2),
        Fixture(name: "v2_zstd_be_f32", dtype: .f32, format: .v2),
        Fixture(name: "v2_zlib_f32_nan", dtype: .f32, format: .v2),
        Fixture(name: "v2_zstd_i16", dtype: .i16, format: .v2),
        Fixture(name: "v2_zstd_u32", dtype: .u32, format: .v2),
        Fixture(name: "v2_gzip_f64", dtype: .f64, format: .v2),
        Fixture(name: "v3_default_u16", dtype: .u16, format: .v3),
        Fixture(name: "v3_default_f32_nan", dtype: .f32, format: .v3),
        Fixture(name: "v3_gzip_i16", dtype: .i16, format: .v3),
        Fixture(name: "v3_bigendian_zstd_u16", dtype: .u16, format: .v3),
        Fixture(name: "v3_v2key_u8", dtype: .u8, format: .v3),
        Fixture(name: "v3_dotkey_u16", dtype: .u16, format: .v3),
        Fixture(name: "v3_blosc_f64", dtype: .f64, format: .v3),
        Fixture(name: "v3_blosc_bitshuffle_u32", dtype: .u32, format: .v3),
        Fixture(name: "v3_none_i32", dtype: .i32, format: .v3),
    ]

    static let shape = Shape(z: 12, y: 11, x: 9)
    static let chunks = Shape(z: 5, y: 5, x: 4)

    static var folder: URL {
        Bundle.module.resourceURL!.appendingPathComponent("Fixtures").appendingPathComponent("zarr")
    }

    /// The fixture's `.bin`: the whole array as little-endian values.
    static func expected(_ f: Fixture) throws -> AnyBlock {
        let data = try Data(contentsOf: folder.appendingPathComponent(f.name + ".bin"))
        func load<T: VoxelScalar>(_ type: T.Type) -> Block<T> {
            let n = data.count / MemoryLayout<T>.size
            let values = data.withUnsafeBytes { raw in (0..<n).map { raw.loadUnaligned(fromByteOffset: $0 * MemoryLayout<T>.size, as: T.self) } }
            return Block(shape: shape, elements: values)
        }
        switch f.dtype {
        case .u8: return .u8(load(UInt8.self))
        case .u16: return .u16(load(UInt16.self))
        case .i16: return .i16(load(Int16.self))
        case .u32: return .u32(load(UInt32.self))
        case .i32: return .i32(load(Int32.self))
        case .f32: return .f32(load(Float.self))
        case .f64: return .f64(load(Double.self))
        }
    }

    @Test(arguments: fixtures)
    func fixtureReadsBackExactly(_ f: Fixture) throws {
        let array = try ZarrArray.open(at: Self.folder.appendingPathComponent(f.name + ".zarr"))
        #expect(array.shape == Self.shape)
        #expect(array.chunks == Self.chunks)
        #expect(array.dtype == f.dtype)
        #expect(array.format == f.format)
        #expect(array.chunkGrid == Shape(z: 3, y: 3, x: 3))
        #expect(!array.chunkExists(Index3(z: 1, y: 1, x: 1)), "chunk (1,1,1) is all fill, so zarr-python skipped it")
        #expect(array.chunkExists(Index3(z: 2, y: 2, x: 2)))
        let whole = try array.read(Self.shape.box)
        #expect(whole.dtype == f.dtype)
        #expect(whole.bitPatterns == (try Self.expected(f)).bitPatterns)
    }

    @Test(arguments: fixtures)
    func partialBoxAcrossChunkEdgesMatches(_ f: Fixture) throws {
        let array = try ZarrArray.open(at: Self.folder.appendingPathComponent(f.name + ".zarr"))
        let box = Box(z: 3..<11, y: 4..<11, x: 2..<7)
        let part = try array.read(box)
        #expect(part.shape == box.shape)
        #expect(part.bitPatterns == (try Self.expected(f)).cropped(to: box).bitPatterns)
    }

    @Test func fillValuesComeFromMetadata() throws {
        let nan = try ZarrArray.open(at: Self.folder.appendingPathComponent("v2_zlib_f32_nan.zarr"))
        #expect(nan.fillValue.isNaN)
        let missing = try nan.read(nan.chunkBox(Index3(z: 1, y: 1, x: 1)), as: Float.self)
        #expect(missing.elements.allSatisfy { $0.isNaN })
        let seven = try ZarrArray.open(at: Self.folder.appendingPathComponent("v2_none_be_u16.zarr"))
        #expect(seven.fillValue == 7)
        #expect(seven.byteOrder == .big)
        #expect(try ZarrArray.open(at: Self.folder.appendingPathComponent("v2_zstd_i16.zarr")).fillValue == -5)
    }

    @Test func compressorsAreRecognised() throws {
        func compressor(_ name: String) throws -> ZarrCompressor {
            try ZarrArray.open(at: Self.folder.appendingPathComponent(name + ".zarr")).compressor
        }
        #expect(try compressor("v2_blosc_lz4_u16") == .blosc(cname: "lz4", clevel: 5, shuffle: .byte, blocksize: 0))
        #expect(try compressor("v2_blosc_zstd_bitshuffle_u16") == .blosc(cname: "zstd", clevel: 3, shuffle: .bit, blocksize: 0))
        #expect(try compressor("v2_zlib_u16") == .zlib(level: 6))
        #expect(try compressor("v2_gzip_f64") == .gzip(level: 6))
        #expect(try compressor("v3_default_u16") == .zstd(level: 0))
        #expect(try compressor("v3_none_i32") == .none)
    }
}
