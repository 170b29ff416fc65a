import Foundation
import Testing
@testable import TrowelVolume

@Suite struct SliceFilesTests {
    @Test func naturalOrderComparesDigitRunsByValue() {
        let names = ["s10", "s2", "s1", "S3", "s010a", "s10a", "s10b", "a", "s", "s02"]
        #expect(names.naturallySorted() == ["a", "s", "s1", "s02", "s2", "S3", "s10", "s010a", "s10a", "s10b"])
        #expect(NaturalOrder.areInIncreasingOrder("slice_9.tif", "slice_10.tif"))
        #expect(NaturalOrder.areInIncreasingOrder("scan1/s10.png", "scan2/s1.png"))
        #expect(NaturalOrder.areInIncreasingOrder("x99999999999999999999999", "x100000000000000000000000"))
        #expect(!NaturalOrder.areInIncreasingOrder("s2", "s2"))
    }

    @Test func detectsFormatsByFirstBytesNotNames() throws {
        #expect(try ImageFormat.detect(fileAt: ImportFixtures.url("png-u8/s1.png")) == .png)
        #expect(try ImageFormat.detect(fileAt: ImportFixtures.url("multi-u8.tif")) == .tiff)
        #expect(try ImageFormat.detect(fileAt: ImportFixtures.url("bigtiff-i16.tif")) == .tiff)
        #expect(try ImageFormat.detect(fileAt: ImportFixtures.url("fake.png")) == nil)
        #expect(try ImageFormat.detect(fileAt: ImportFixtures.url("notes.txt")) == nil)
        #expect(ImageFormat.detect(signature: [0x4D, 0x4D, 0x00, 0x2A, 0, 0, 0, 8]) == .tiff)
        #expect(ImageFormat.detect(signature: [0x49, 0x49]) == nil)
    }

    @Test func folderResolvesToNaturallySortedImages() throws {
        let files = try SliceFiles(resolving: [ImportFixtures.path("png-u16")])
        #expect(files.format == .png)
        #expect(files.files.map(\.lastPathComponent) == ["s1.png", "s2.png", "s10.png"])
    }

    @Test func globAndExplicitFilesResolve() throws {
        let glob = try SliceFiles(resolving: [ImportFixtures.path("tiff-u8") + "/s*.tif"])
        #expect(glob.format == .tiff)
        #expect(glob.files.map(\.lastPathComponent) == ["s1.tif", "s2.tif", "s10.tif"])
        let explicit = try SliceFiles(resolving: [ImportFixtures.path("tiff-u8/s10.tif"), ImportFixtures.path("tiff-u8/s2.tif")])
        #expect(explicit.files.map(\.lastPathComponent) == ["s2.tif", "s10.tif"])
    }

    @Test func folderIgnoresHiddenAndNonImageFiles() throws {
        let folder = try ImportFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        for name in ["b2.PNG", "b10.png"] {
            try FileManager.default.copyItem(at: ImportFixtures.url("png-u8/s1.png"), to: folder.appendingPathComponent(name))
        }
        try Data("x".utf8).write(to: folder.appendingPathComponent(".hidden.png"))
        try Data("x".utf8).write(to: folder.appendingPathComponent("readme.txt"))
        let files = try SliceFiles(resolving: [folder.path])
        #expect(files.files.map(\.lastPathComponent) == ["b2.PNG", "b10.png"])
    }

    @Test func badInputsNameTheInput() throws {
        let folder = try ImportFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(throws: ImportError.noImageFiles(in: folder.path)) { try SliceFiles(resolving: [folder.path]) }
        #expect("\(ImportError.noImageFiles(in: "/data/empty"))" == "no image files in /data/empty")
        #expect(throws: ImportError.noImageFiles(in: folder.path + "/*.tif")) {
            try SliceFiles(resolving: [folder.path + "/*.tif"])
        }
        #expect(throws: ImportError.notFound(path: folder.path + "/missing.tif")) {
            try SliceFiles(resolving: [folder.path + "/missing.tif"])
        }
        #expect(throws: ImportError.noInput) { try SliceFiles(resolving: []) }
        let notes = ImportFixtures.path("notes.txt")
        #expect(throws: ImportError.notAnImage(file: notes)) { try SliceFiles(resolving: [notes]) }
        #expect("\(ImportError.notAnImage(file: "notes.txt"))" == "notes.txt: not a PNG, TIFF or JPEG 2000 image")
        let fake = ImportFixtures.path("fake.png")
        #expect(throws: ImportError.notAnImage(file: fake)) { try SliceFiles(resolving: [fake]) }
    }

    @Test func mixedFormatsAreRejected() throws {
        do {
            _ = try SliceFiles(resolving: [ImportFixtures.path("mixed-formats")])
            Issue.record("mixed formats were accepted")
        } catch let error as ImportError {
            #expect(error.file == ImportFixtures.path("mixed-formats/a2.tif"))
            #expect("\(error)".contains("a2.tif: TIFF, but the stack's first slice"))
        }
    }

    @Test func makeSourcePicksTheReader() throws {
        let png = try SliceFiles(resolving: [ImportFixtures.path("png-u8")]).makeSource()
        #expect(png is PNGStack)
        #expect(png.shape == ImportFixtures.shape)
        let tiff = try SliceFiles(resolving: [ImportFixtures.path("imagej-u16.tif")]).makeSource()
        #expect(tiff is TIFFStack)
        #expect(tiff.dtype == .u16)
        #expect(tiff.summary.hasPrefix("3 TIFF pages in "))
    }
}
