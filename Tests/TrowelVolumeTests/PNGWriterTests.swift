import Foundation
import Testing
@testable import TrowelVolume

@Suite struct PNGWriterTests {
    typealias F = ImportFixtures

    @Test func eightAndSixteenBitRoundTripExactly() throws {
        let folder = try F.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let u8 = try PNGWriter().writeSlices(.u8(F.expected(F.u8)), into: folder.appendingPathComponent("u8"), prefix: "s")
        #expect(u8.map(\.lastPathComponent) == ["s_00000.png", "s_00001.png", "s_00002.png"])
        #expect(try PNGStack(files: u8).readSlices(0..<3).elements(as: UInt8.self) == F.expected(F.u8).elements)
        let u16 = try PNGWriter().writeSlices(.u16(F.expected(F.u16)), into: folder.appendingPathComponent("u16"), prefix: "s")
        let stack = try PNGStack(files: u16)
        #expect(stack.dtype == .u16)
        #expect(try stack.readSlices(0..<3).elements(as: UInt16.self) == F.expected(F.u16).elements)
    }

    @Test func otherDTypesAreRefusedBeforeWriting() throws {
        let folder = try F.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let target = folder.appendingPathComponent("f32")
        #expect(throws: ExportError.unsupportedDType(file: target.path, dtype: .f32, format: "PNG", supported: "uint8 and uint16")) {
            try PNGWriter().writeSlices(.f32(F.expected(F.f32)), into: target, prefix: "s")
        }
        #expect(!FileManager.default.fileExists(atPath: target.path))
    }
}
