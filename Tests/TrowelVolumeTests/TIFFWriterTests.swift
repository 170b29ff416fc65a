import Foundation
import Testing
@testable import TrowelVolume

@Suite struct TIFFWriterTests {
    typealias F = ImportFixtures

    static let volumes: [AnyBlock] = [
        .u8(F.expected(F.u8)), .u16(F.expected(F.u16)), .i16(F.expected(F.i16)), .u32(F.expected(F.u32)),
        .i32(F.expected(F.i32)), .f32(F.expected(F.f32)), .f64(F.expected(F.f64)),
    ]

    func same(_ a: AnyBlock, _ b: AnyBlock) -> Bool {
        guard a.dtype == b.dtype, a.shape == b.shape else { return false }
        return a.withUnsafeRawBytes { x in b.withUnsafeRawBytes { y in x.elementsEqual(y) } }
    }

    @Test(arguments: [TIFFWriter.Compression.none, .deflate])
    func multiPageRoundTripsEveryDType(compression: TIFFWriter.Compression) throws {
        let folder = try F.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        for volume in Self.volumes {
            let file = folder.appendingPathComponent("\(volume.dtype).tif")
            try TIFFWriter(compression: compression).write(volume, to: file)
            let stack = try TIFFStack(files: [file])
            #expect(stack.dtype == volume.dtype)
            #expect(same(try stack.readSlices(0..<3), volume), "\(volume.dtype) \(compression)")
        }
    }

    @Test func appendingWritesASlabAtATime() throws {
        let folder = try F.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("slabs.tif")
        let volume = F.expected(F.f32)
        try TIFFWriter().write(.f32(volume.cropped(to: Box(z: 0..<2, y: 0..<17, x: 0..<23))), to: file)
        try TIFFWriter().write(.f32(volume.cropped(to: Box(z: 2..<3, y: 0..<17, x: 0..<23))), to: file, appending: true)
        #expect(same(try TIFFStack(files: [file]).readSlices(0..<3), .f32(volume)))
    }

    @Test func slicePerFileRoundTripsWithZeroPaddedNames() throws {
        let folder = try F.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        for volume in [AnyBlock.u8(F.expected(F.u8)), .u16(F.expected(F.u16)), .f32(F.expected(F.f32))] {
            let sub = folder.appendingPathComponent("\(volume.dtype)")
            let files = try TIFFWriter(compression: .deflate).writeSlices(volume, into: sub, prefix: "slice", firstIndex: 9)
            #expect(files.map(\.lastPathComponent) == ["slice_00009.tif", "slice_00010.tif", "slice_00011.tif"])
            let source = try SliceFiles(resolving: [sub.path]).makeSource()
            #expect(same(try source.readSlices(0..<3), volume))
        }
        #expect(SliceFileName.make(prefix: "p", index: 123_456, extension: "tif") == "p_123456.tif")
    }

    @Test func unwritableFileIsNamed() throws {
        let file = "/nonexistent-trowel-folder/x.tif"
        do {
            try TIFFWriter().write(.u8(F.expected(F.u8)), to: URL(fileURLWithPath: file))
            Issue.record("wrote into a missing folder")
        } catch let error as ExportError {
            #expect(error.file == file)
            #expect("\(error)".hasPrefix(file + ": cannot write: "))
        }
    }
}
