import Foundation
import Testing
@testable import TrowelVolume

@Suite struct PNGReaderTests {
    typealias F = ImportFixtures

    func stack(_ name: String) throws -> PNGStack {
        try PNGStack(files: SliceFiles(resolving: [F.path(name)]).files)
    }

    @Test func eightBitGreyReadsExactValues() throws {
        let s = try stack("png-u8")
        #expect(s.shape == F.shape)
        #expect(s.dtype == .u8)
        #expect(try s.readSlices(0..<3).elements(as: UInt8.self) == F.expected(F.u8).elements)
        #expect(s.summary.hasPrefix("3 PNG slices in "))
        #expect(s.summary.hasSuffix("(uint8)"))
    }

    @Test func sixteenBitGreyReadsExactValues() throws {
        let s = try stack("png-u16")
        #expect(s.dtype == .u16)
        #expect(try s.readSlices(0..<3).elements(as: UInt16.self) == F.expected(F.u16).elements)
    }

    @Test func gammaChunksDoNotChangeValues() throws {
        #expect(try stack("png-u8-gamma").readSlices(0..<3).elements(as: UInt8.self) == F.expected(F.u8).elements)
        #expect(try stack("png-u16-gamma").readSlices(0..<3).elements(as: UInt16.self) == F.expected(F.u16).elements)
    }

    @Test func colourBecomesRoundedLuminance() throws {
        let rgb8 = try stack("png-rgb-u8")
        #expect(rgb8.dtype == .u8)
        #expect(try rgb8.readSlices(0..<3).elements(as: UInt8.self) == F.expected { F.grey(F.rgb8($0), as: UInt8.self) }.elements)
        let rgb16 = try stack("png-rgb-u16")
        #expect(rgb16.dtype == .u16)
        #expect(try rgb16.readSlices(0..<3).elements(as: UInt16.self) == F.expected { F.grey(F.rgb16($0), as: UInt16.self) }.elements)
    }

    @Test func paletteBecomesLuminanceOfItsColours() throws {
        let s = try PNGStack(files: [F.url("palette.png")])
        #expect(s.shape == Shape(z: 1, y: 17, x: 23))
        let expected = F.expected(0..<1) { b -> UInt8 in
            let i = Double(Int(F.u8(b)) % 16)
            return F.grey((i * 16, 255 - i * 16, i * 7), as: UInt8.self)
        }
        #expect(try s.readSlices(0..<1).elements(as: UInt8.self) == expected.elements)
    }

    @Test func slabEqualsPartOfFullRead() throws {
        let s = try stack("png-u16")
        #expect(try s.readSlices(1..<3).elements(as: UInt16.self) == F.expected(1..<3, F.u16).elements)
        #expect(try s.readSlices(2..<3).elements(as: UInt16.self) == F.expected(2..<3, F.u16).elements)
    }

    @Test func differentSizeSliceIsNamed() throws {
        let bad = F.path("png-mixed-size/s2.png")
        let expected = ImportError.sizeMismatch(file: bad, page: nil, size: SliceSize(width: 23, height: 16),
                                                expected: SliceSize(width: 23, height: 17))
        #expect(throws: expected) { try stack("png-mixed-size") }
        #expect("\(expected)" == "\(bad): 23×16 pixels, but the stack's first slice is 23×17")
    }

    @Test func fileChangedAfterOpeningIsCheckedOnRead() throws {
        let folder = try F.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let files = ["s1", "s2"].map { folder.appendingPathComponent("\($0).png") }
        for f in files { try FileManager.default.copyItem(at: F.url("png-u8/s1.png"), to: f) }
        let s = try PNGStack(files: files)
        try FileManager.default.removeItem(at: files[1])
        try FileManager.default.copyItem(at: F.url("png-mixed-size/s2.png"), to: files[1])
        #expect(throws: ImportError.self) { try s.readSlices(0..<2) }
        try Data(try Data(contentsOf: F.url("png-u8/s1.png")).prefix(60)).write(to: files[1])
        do {
            _ = try s.readSlices(1..<2)
            Issue.record("a truncated PNG was read")
        } catch let error as ImportError {
            #expect(error.file == files[1].path)
            #expect("\(error)".hasPrefix(files[1].path + ": cannot read: "))
        }
    }

    @Test func bitDepthMismatchIsNamed() throws {
        let files = [F.url("png-u8/s1.png"), F.url("png-u16/s2.png")]
        #expect(throws: ImportError.typeMismatch(file: files[1].path, page: nil, found: "16-bit", expected: "8-bit")) {
            try PNGStack(files: files)
        }
    }
}
