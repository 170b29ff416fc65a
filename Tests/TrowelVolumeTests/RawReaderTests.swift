import Foundation
import Testing
@testable import TrowelVolume

@Suite struct RawReaderTests {
    typealias F = ImportFixtures

    @Test func bigEndianU16AfterHeader() throws {
        let raw = try RawVolume(file: F.url("u16-big-h64.raw"), shape: F.shape, dtype: .u16, byteOrder: .big, headerBytes: 64)
        #expect(try raw.readSlices(0..<3).elements(as: UInt16.self) == F.expected(F.u16).elements)
        #expect(try raw.readSlices(1..<3).elements(as: UInt16.self) == F.expected(1..<3, F.u16).elements)
        #expect(raw.summary.contains("3×17×23 uint16 big-endian after 64 header bytes"))
    }

    @Test func littleEndianF32() throws {
        let raw = try RawVolume(file: F.url("f32-little.raw"), shape: F.shape, dtype: .f32, byteOrder: .little)
        #expect(try raw.readSlices(2..<3).elements(as: Float.self) == F.expected(2..<3, F.f32).elements)
    }

    @Test func sizeMismatchNamesFileAndBothSizes() throws {
        let file = F.path("u16-big-h64.raw")
        let error = ImportError.rawSizeMismatch(file: file, actualBytes: 2410, shape: F.shape, dtype: .u16, headerBytes: 0)
        #expect(throws: error) {
            try RawVolume(file: F.url("u16-big-h64.raw"), shape: F.shape, dtype: .u16, byteOrder: .big)
        }
        #expect("\(error)" == "\(file): 2410 bytes, but --shape 3,17,23 --dtype u16 needs 2346 + header 0 = 2346"
            + " (if the extra bytes are a header: --header-bytes 64)")
        #expect(throws: ImportError.self) {
            try RawVolume(file: F.url("f32-little.raw"), shape: Shape(z: 4, y: 17, x: 23), dtype: .f32)
        }
        #expect(throws: ImportError.self) {
            try RawVolume(file: F.url("f32-little.raw"), shape: Shape(z: 0, y: 17, x: 23), dtype: .f32)
        }
        #expect(throws: ImportError.notFound(path: "/nonexistent/scan.raw")) {
            try RawVolume(file: URL(fileURLWithPath: "/nonexistent/scan.raw"), shape: F.shape, dtype: .u8)
        }
    }
}
