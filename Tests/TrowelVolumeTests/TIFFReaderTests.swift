import Foundation
import Testing
@testable import TrowelVolume

@Suite struct TIFFReaderTests {
    typealias F = ImportFixtures

    func stack(_ name: String) throws -> TIFFStack {
        try TIFFStack(files: SliceFiles(resolving: [F.path(name)]).files)
    }

    func check<T: VoxelScalar>(_ name: String, _ dtype: DType, _ value: (Int) -> T) throws {
        let s = try stack(name)
        #expect(s.shape == F.shape, "\(name)")
        #expect(s.dtype == dtype, "\(name)")
        #expect(try s.readSlices(0..<3).elements(as: T.self) == F.expected(value).elements, "\(name)")
        #expect(try s.readSlices(1..<3).elements(as: T.self) == F.expected(1..<3, value).elements, "\(name) slab")
    }

    @Test func imageJHyperstackFromTifffileReadsSameValues() throws {
        try check("imagej-u16.tif", .u16, F.u16)
    }

    @Test func imageJStacksPastFourGigabytesReadAllSlices() throws {
        try check("imagej-contiguous-u16.tif", .u16, F.u16)
        try check("imagej-contiguous-be-u16.tif", .u16, F.u16)
        #expect(ImageJContiguousPages.imageCount("ImageJ=1.54f\nimages=412\nslices=412\n") == 412)
        #expect(ImageJContiguousPages.imageCount("images=412\n") == nil)
    }

    @Test func truncatedImageJStackIsNamedWhenOpened() throws {
        let folder = try F.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("cut.tif")
        let data = try Data(contentsOf: F.url("imagej-contiguous-u16.tif"))
        try data.prefix(data.count - 100).write(to: file)
        do {
            _ = try TIFFStack(files: [file])
            Issue.record("a truncated ImageJ stack was opened")
        } catch let error as ImportError {
            #expect(error.file == file.path)
            #expect("\(error)".contains("promises 3 slices"))
        }
    }

    @Test func singlePageStacksReadInNaturalOrder() throws {
        try check("tiff-u8", .u8, F.u8)
        try check("tiff-u16", .u16, F.u16)
        try check("tiff-f32", .f32, F.f32)
        #expect(try stack("tiff-u16").summary.hasPrefix("3 TIFF slices in "))
    }

    @Test func everySampleTypeReadsExactValues() throws {
        try check("multi-u8.tif", .u8, F.u8)
        try check("multi-i8.tif", .i16, F.i8)
        try check("multi-i16.tif", .i16, F.i16)
        try check("multi-u32.tif", .u32, F.u32)
        try check("multi-i32.tif", .i32, F.i32)
        try check("multi-f64.tif", .f64, F.f64)
        try check("bigtiff-i16.tif", .i16, F.i16)
    }

    @Test func compressionAndTilesReadExactValues() throws {
        try check("tiled-u16.tif", .u16, F.u16)
        try check("tiled-deflate-f32.tif", .f32, F.f32)
        try check("lzw-u16.tif", .u16, F.u16)
        try check("deflate-f32.tif", .f32, F.f32)
        try check("deflate-u16.tif", .u16, F.u16)
        try check("packbits-u8.tif", .u8, F.u8)
    }

    @Test func rgbBecomesLuminanceInterleavedOrPlanar() throws {
        try check("rgb-u8.tif", .u8) { F.grey(F.rgb8($0), as: UInt8.self) }
        try check("rgb-planar-u16.tif", .u16) { F.grey(F.rgb16($0), as: UInt16.self) }
    }

    @Test func multiPageFilesConcatenate() throws {
        let s = try TIFFStack(files: [F.url("multi-u8.tif"), F.url("tiff-u8/s1.tif"), F.url("packbits-u8.tif")])
        #expect(s.shape.z == 7)
        let all = try s.readSlices(0..<7).elements(as: UInt8.self)!
        let plane = 17 * 23
        let volume = F.expected(F.u8).elements
        #expect(Array(all[0..<(3 * plane)]) == volume)
        #expect(Array(all[(3 * plane)..<(4 * plane)]) == Array(volume[0..<plane]))
        #expect(Array(all[(4 * plane)...]) == volume)
        #expect(try s.readSlices(2..<5).elements(as: UInt8.self)! == Array(all[(2 * plane)..<(5 * plane)]))
        #expect(s.summary == "7 TIFF pages in 3 files in \(F.url("").path) (uint8)")
    }

    @Test func concurrentSlabReadsAgree() throws {
        let folder = try F.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var volume = Block<UInt16>(shape: Shape(z: 40, y: 33, x: 29), repeating: 0)
        for i in volume.elements.indices { volume.elements[i] = UInt16(truncatingIfNeeded: i &* 40503) }
        let file = folder.appendingPathComponent("big.tif")
        try TIFFWriter(compression: .deflate).write(.u16(volume), to: file)
        let stack = try TIFFStack(files: [file])
        let plane = 33 * 29
        let slabs = UnsafeMutableBufferPointer<[UInt16]?>.allocate(capacity: 10)
        slabs.initialize(repeating: nil)
        defer { slabs.deallocate() }
        nonisolated(unsafe) let shared = slabs  // each iteration writes only its own element
        DispatchQueue.concurrentPerform(iterations: 10) { k in
            shared[k] = try? stack.readSlices((k * 4)..<(k * 4 + 4)).elements(as: UInt16.self)
        }
        let all = Array(slabs)
        for k in 0..<10 {
            #expect(all[k] == Array(volume.elements[(k * 4 * plane)..<((k * 4 + 4) * plane)]), "slab \(k)")
        }
    }

    @Test func differentSizePageIsNamed() throws {
        let file = F.path("mixed-size.tif")
        let expected = ImportError.sizeMismatch(file: file, page: 1, size: SliceSize(width: 22, height: 17),
                                                expected: SliceSize(width: 23, height: 17))
        #expect(throws: expected) { try stack("mixed-size.tif") }
        #expect("\(expected)" == "\(file) (page 2): 22×17 pixels, but the stack's first slice is 23×17")
    }

    @Test func differentSizeSliceFileIsNamed() throws {
        let folder = try F.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try TIFFWriter().writeSlices(.u16(F.expected(0..<2, F.u16)), into: folder, prefix: "slice")
        let small = Block<UInt16>(shape: Shape(z: 1, y: 16, x: 23), repeating: 7)
        try TIFFWriter().writeSlices(.u16(small), into: folder, prefix: "slice", firstIndex: 2)
        let bad = folder.appendingPathComponent("slice_00002.tif").path
        #expect(throws: ImportError.sizeMismatch(file: bad, page: nil, size: SliceSize(width: 23, height: 16),
                                                 expected: SliceSize(width: 23, height: 17))) {
            try SliceFiles(resolving: [folder.path]).makeSource()
        }
    }

    @Test func sampleTypeMismatchIsNamed() throws {
        let files = [F.url("tiff-u8/s1.tif"), F.url("tiff-u16/s2.tif")]
        #expect(throws: ImportError.typeMismatch(file: files[1].path, page: nil, found: "16-bit unsigned", expected: "8-bit unsigned")) {
            try TIFFStack(files: files)
        }
    }

    @Test func truncatedTIFFFailsInsteadOfGivingZeros() throws {
        let s = try stack("truncated.tif")
        #expect(s.shape.z == 3)
        #expect(try s.readSlices(0..<2).elements(as: UInt16.self) == F.expected(0..<2, F.u16).elements)
        do {
            _ = try s.readSlices(1..<3)
            Issue.record("a truncated page was read")
        } catch let error as ImportError {
            guard case .unreadable(let file, let page, let reason) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(file == F.path("truncated.tif"))
            #expect(page == 2)
            #expect(!reason.isEmpty)
            #expect(!"\(error)".contains("\n"))
        }
    }

    @Test func nonImageFileIsRejectedByItsBytes() throws {
        #expect(throws: ImportError.notAnImage(file: F.path("notes.txt"))) { try TIFFStack(files: [F.url("notes.txt")]) }
        #expect("\(ImportError.notAnImage(file: "notes.txt"))" == "notes.txt: not a PNG, TIFF or JPEG 2000 image")
    }
}
