import Foundation
import Testing
@testable import TrowelVolume

/// `JPEG2000Stack` on the lossless fixtures of Scripts/make-jp2-fixtures.py, whose values follow
/// `ImportFixtures`' formulas: exact values, natural order, and one-line errors naming the file.
@Suite struct JPEG2000ReaderTests {
    typealias F = ImportFixtures

    func stack(_ name: String) throws -> JPEG2000Stack {
        try JPEG2000Stack(files: SliceFiles(resolving: [F.path(name)]).files)
    }

    @Test func eightBitJP2StackReadsExactValues() throws {
        let s = try stack("jp2-u8")
        #expect(s.shape == F.shape)
        #expect(s.dtype == .u8)
        #expect(try s.readSlices(0..<3).elements(as: UInt8.self) == F.expected(F.u8).elements)
        #expect(s.summary.hasPrefix("3 JPEG 2000 slices in "))
        #expect(s.summary.hasSuffix("(uint8)"))
    }

    @Test func sixteenBitJP2StackReadsExactValues() throws {
        let s = try stack("jp2-u16")
        #expect(s.shape == F.shape)
        #expect(s.dtype == .u16)
        #expect(try s.readSlices(0..<3).elements(as: UInt16.self) == F.expected(F.u16).elements)
    }

    @Test func tiledRawCodestreamsReadExactValues() throws {
        let s = try stack("j2k-u16")
        #expect(s.shape == F.shape)
        #expect(s.dtype == .u16)
        #expect(try s.readSlices(0..<3).elements(as: UInt16.self) == F.expected(F.u16).elements)
    }

    @Test func signedSamplesBecomeInt16() throws {
        let s = try JPEG2000Stack(files: [F.url("jp2-signed-i16.j2k")])
        #expect(s.dtype == .i16)
        #expect(try s.readSlices(0..<1).elements(as: Int16.self) == F.expected(0..<1, F.i16).elements)
    }

    @Test func folderIsJPEG2000InNaturalOrder() throws {
        for (name, suffix) in [("jp2-u16", "jp2"), ("j2k-u16", "j2k")] {
            let files = try SliceFiles(resolving: [F.path(name)])
            #expect(files.format == .jpeg2000)
            #expect(files.files.map(\.lastPathComponent) == ["s1", "s2", "s10"].map { "\($0).\(suffix)" })
            #expect(try files.makeSource() is JPEG2000Stack)
        }
        #expect(try ImageFormat.detect(fileAt: F.url("jp2-signed-i16.j2k")) == .jpeg2000)
        #expect(ImageFormat.detect(signature: [0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A]) == .jpeg2000)
        #expect(ImageFormat.detect(signature: [0xFF, 0x4F, 0xFF, 0x51]) == .jpeg2000)
        #expect(ImageFormat.detect(signature: [0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50]) == nil)
    }

    @Test func slabEqualsPartOfFullRead() throws {
        let s = try stack("jp2-u16")
        #expect(try s.readSlices(1..<3).elements(as: UInt16.self) == F.expected(1..<3, F.u16).elements)
        #expect(try s.readSlices(2..<3).elements(as: UInt16.self) == F.expected(2..<3, F.u16).elements)
    }

    @Test func differentSizeSliceIsNamed() throws {
        let bad = F.path("jp2-mixed-size/s2.jp2")
        let expected = ImportError.sizeMismatch(file: bad, page: nil, size: SliceSize(width: 23, height: 16),
                                                expected: SliceSize(width: 23, height: 17))
        #expect(throws: expected) { try stack("jp2-mixed-size") }
        #expect("\(expected)" == "\(bad): 23×16 pixels, but the stack's first slice is 23×17")
    }

    @Test func precisionMismatchIsNamed() throws {
        let files = [F.url("jp2-u8/s1.jp2"), F.url("jp2-u16/s2.jp2")]
        let expected = ImportError.typeMismatch(file: files[1].path, page: nil, found: "16-bit", expected: "8-bit")
        #expect(throws: expected) { try JPEG2000Stack(files: files) }
        #expect(throws: ImportError.typeMismatch(file: F.path("jp2-signed-i16.j2k"), page: nil, found: "16-bit signed", expected: "16-bit")) {
            try JPEG2000Stack(files: [F.url("jp2-u16/s1.jp2"), F.url("jp2-signed-i16.j2k")])
        }
    }

    @Test func colourIsRefusedWithOneLine() throws {
        let file = F.path("jp2-rgb.jp2")
        do {
            _ = try JPEG2000Stack(files: [F.url("jp2-u8/s1.jp2"), F.url("jp2-rgb.jp2")])
            Issue.record("a colour JPEG 2000 was accepted")
        } catch let error as ImportError {
            #expect(error.file == file)
            #expect("\(error)" == "\(file): 3 components (colour or alpha); Trowel reads single-component greyscale JPEG 2000")
        }
    }

    @Test func truncatedFileIsNamedWhenRead() throws {
        let file = F.path("jp2-truncated.jp2")
        // Its header is whole, so the stack opens; decoding the cut-off tile data must fail.
        let s = try JPEG2000Stack(files: [F.url("jp2-u16/s1.jp2"), F.url("jp2-truncated.jp2")])
        #expect(try s.readSlices(0..<1).elements(as: UInt16.self) == F.expected(0..<1, F.u16).elements)
        do {
            _ = try s.readSlices(0..<2)
            Issue.record("a truncated JPEG 2000 was read")
        } catch let error as ImportError {
            #expect(error.file == file)
            let line = "\(error)"
            #expect(line.hasPrefix(file + ": cannot read: "), "\(line)")
            #expect(!line.contains("\n"))
        }
    }

    @Test func headerCutShortIsNamedWhenOpened() throws {
        let folder = try F.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("s1.j2k")
        try Data(try Data(contentsOf: F.url("j2k-u16/s1.j2k")).prefix(30)).write(to: file)
        do {
            _ = try JPEG2000Stack(files: [file])
            Issue.record("a JPEG 2000 header cut short was accepted")
        } catch let error as ImportError {
            #expect(error.file == file.path)
            #expect("\(error)".hasPrefix(file.path + ": cannot read: "), "\(error)")
            #expect(!"\(error)".contains("\n"))
        }
    }

    @Test func fileChangedAfterOpeningIsCheckedOnRead() throws {
        let folder = try F.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let files = ["s1", "s2"].map { folder.appendingPathComponent("\($0).jp2") }
        for f in files { try FileManager.default.copyItem(at: F.url("jp2-mixed-size/s1.jp2"), to: f) }
        let s = try JPEG2000Stack(files: files)
        try FileManager.default.removeItem(at: files[1])
        try FileManager.default.copyItem(at: F.url("jp2-mixed-size/s2.jp2"), to: files[1])
        #expect(throws: ImportError.sizeMismatch(file: files[1].path, page: nil, size: SliceSize(width: 23, height: 16),
                                                 expected: SliceSize(width: 23, height: 17))) {
            try s.readSlices(0..<2)
        }
    }
}
