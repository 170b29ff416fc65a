import Foundation
import Testing
@testable import TrowelVolume

/// `DICOMVolume` on the fixtures of Scripts/make-dicom-fixtures.py (pydicom, recompressed by
/// gdcmconv): Hounsfield units and voxel size for every transfer syntax, order by position along
/// the slice normal, gaps, several series, and one-line errors naming the file.
@Suite struct DICOMReaderTests {
    static let root = "1.2.826.0.1.3680043.10.1338."

    static func url(_ name: String) -> URL {
        Bundle.module.resourceURL!.appendingPathComponent("Fixtures/dicom").appendingPathComponent(name)
    }

    static func path(_ name: String) -> String { url(name).path }

    /// The stored sample the generator wrote at (z, y, x), z being the slice's place along the normal.
    static func stored(_ z: Int, _ y: Int, _ x: Int) -> Int { ((z * 1024 + y * 32 + x) * 37 + 100) % 4096 }

    /// `value(stored(z, y, x))` over slices `range` of a 32×32 series.
    static func expected(_ range: Range<Int>, _ value: (Int) -> Double) -> [Double] {
        var out: [Double] = []
        for z in range { for y in 0..<32 { for x in 0..<32 { out.append(value(stored(z, y, x))) } } }
        return out
    }

    static func volume(_ name: String, series: String? = nil, allowGaps: Bool = false) throws -> DICOMVolume {
        try DICOMVolume(series: try DICOMSeriesSet(resolving: [path(name)]).choose(series), allowGaps: allowGaps)
    }

    static func values(_ v: DICOMVolume, _ range: Range<Int>? = nil) throws -> [Double] {
        try v.readSlices(range ?? 0..<v.shape.z).converted(to: Double.self).elements
    }

    /// The error `body` throws, as the line the user sees.
    static func message(_ body: () throws -> Void) -> String {
        do {
            try body()
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    @Test(arguments: [
        ("explicit", "explicit VR little endian"), ("implicit", "implicit VR little endian"), ("rle", "RLE lossless"),
        ("jpeg-lossless", "JPEG lossless"), ("jpeg-ls", "JPEG-LS lossless"), ("j2k", "JPEG 2000 lossless"),
    ])
    func everyTransferSyntaxGivesHounsfieldUnitsAndVoxelSize(name: String, syntax: String) throws {
        let v = try Self.volume(name)
        #expect(v.shape == Shape(z: 4, y: 32, x: 32))
        #expect(v.dtype == .i16, "12-bit samples with intercept -1024 fit int16")
        #expect(v.series.transferSyntaxes == [syntax])
        #expect(try Self.values(v) == Self.expected(0..<4) { Double($0 - 1024) })
        #expect(v.recordedVoxelSize == VoxelSize(z: 1250, y: 500, x: 250), "PixelSpacing 0.5\\0.25 mm, slices 1.25 mm apart")
        #expect(v.summary.hasPrefix("4 DICOM slices in "))
        #expect(v.summary.contains("(CT, \(syntax), int16), series \(Self.root)2."))
        #expect(v.note == nil)
    }

    @Test func slabsEqualTheWholeRead() throws {
        let v = try Self.volume("jpeg-ls")
        #expect(try Self.values(v, 1..<3) == Self.expected(1..<3) { Double($0 - 1024) })
        #expect(try Self.values(v, 3..<4) == Self.expected(3..<4) { Double($0 - 1024) })
    }

    @Test func obliqueSlicesSortByPositionAlongTheNormalNotByNameOrInstanceNumber() throws {
        // Names c a f b e d and InstanceNumbers 4 6 1 3 2 5 for z = 0…5, tilted 30° about x.
        let v = try Self.volume("shuffled")
        #expect(v.shape == Shape(z: 6, y: 32, x: 32))
        #expect(try Self.values(v) == Self.expected(0..<6) { Double($0 - 1024) })
        #expect(v.order.slices.map { v.series.headers[$0.header].file.lastPathComponent } == ["c", "a", "f", "b", "e", "d"])
        let z = try #require(v.recordedVoxelSize?.z)
        #expect(abs(z - 2000) < 0.1, "slices 2 mm apart along the tilted normal (positions rounded to 0.1 µm)")
    }

    @Test func anUnevenGapNamesTheTwoFilesAroundIt() throws {
        let line = Self.message { _ = try Self.volume("gap") }
        #expect(line.hasPrefix("uneven slice spacing: 2.5 mm between "))
        #expect(line.contains("/gap/g3 (at 2.5 mm) and g4 (at 5 mm), 1.25 mm elsewhere"))
        #expect(line.contains("--allow-gaps"))
        #expect(!line.contains("\n"))
        let v = try Self.volume("gap", allowGaps: true)
        #expect(v.shape.z == 5)
        #expect(v.recordedVoxelSize == VoxelSize(z: 1250, y: 500, x: 250))
        #expect(try Self.values(v) == [0, 1, 2, 4, 5].flatMap { Self.expected($0..<($0 + 1)) { Double($0 - 1024) } })
        #expect(v.note?.contains("imported with --allow-gaps at 1.25 mm") == true)
    }

    @Test func theLargestSeriesIsChosenAndSeriesPicksAnother() throws {
        let found = try DICOMSeriesSet(resolving: [Self.path("two-series")])
        #expect(found.series.map(\.uid) == [Self.root + "6", Self.root + "5"])
        #expect(found.series.map(\.slices) == [5, 3])
        let largest = try Self.volume("two-series")
        #expect(largest.series.uid == Self.root + "6")
        #expect(largest.recordedVoxelSize?.z == 1000)
        #expect(try Self.values(largest) == Self.expected(0..<5) { Double($0 + 1000 - 1024) })
        let other = try Self.volume("two-series", series: Self.root + "5")
        #expect(other.shape.z == 3 && other.recordedVoxelSize?.z == 2000)
        #expect(try Self.values(other) == Self.expected(0..<3) { Double($0 - 1024) })
        let line = Self.message { _ = try found.choose("9.9.9") }
        #expect(line == "--series 9.9.9: no such series here; found \(Self.root)6, \(Self.root)5 (see --list-series)")
        #expect(Self.message { _ = try found.choose(Self.root) }.hasPrefix("--series \(Self.root): no such series"), "a prefix both share")
    }

    @Test func slicesWithoutPositionsFollowInstanceNumberAndSaySo() throws {
        // Files u1 u2 u3 hold z = 2, 0, 1 with InstanceNumbers 3, 1, 2 and no ImagePositionPatient.
        let v = try Self.volume("unplaced")
        #expect(try Self.values(v) == Self.expected(0..<3) { Double($0 - 1024) })
        #expect(v.recordedVoxelSize == VoxelSize(z: 750, y: 500, x: 250), "SpacingBetweenSlices 0.75 mm")
        #expect(v.note == "no ImagePositionPatient: slices ordered by InstanceNumber")
    }

    @Test func realValuedRescaleBecomesFloat32() throws {
        let v = try Self.volume("float")
        #expect(v.dtype == .f32)
        #expect(try Self.values(v) == Self.expected(0..<2) { Double(Float(Double($0) * 0.5 - 1024.25)) })
    }

    @Test func signedSamplesWhoseValuesFitStayInt16() throws {
        // 16-bit signed samples with intercept -1024 could reach -33792, but these stay above -3072.
        let v = try Self.volume("signed16")
        #expect(v.dtype == .i16)
        #expect(try Self.values(v) == Self.expected(0..<2) { Double($0 - 2048 - 1024) })
    }

    @Test func countsAboveInt16StayUInt16() throws {
        let v = try Self.volume("counts")
        #expect(v.dtype == .u16)
        #expect(try Self.values(v) == Self.expected(0..<2) { Double($0 * 16) })
    }

    @Test(arguments: ["multiframe.dcm", "multiframe-rle.dcm", "multiframe-j2k.dcm"])
    func multiFrameFramesSortByTheirOwnPositions(name: String) throws {
        let v = try Self.volume(name)
        #expect(v.shape == Shape(z: 4, y: 32, x: 32))
        #expect(v.dtype == .i16)
        #expect(try Self.values(v) == Self.expected(0..<4) { Double($0 - 1024) })
        #expect(try Self.values(v, 1..<3) == Self.expected(1..<3) { Double($0 - 1024) })
        #expect(v.recordedVoxelSize == VoxelSize(z: 1250, y: 500, x: 250))
        #expect(v.summary.hasPrefix("4 DICOM frames in "))
    }

    @Test func colourMissingPixelsAndMixedSizesAreOneLineErrorsNamingTheFile() throws {
        let colour = Self.message { _ = try Self.volume("colour.dcm") }
        #expect(colour == "\(Self.path("colour.dcm")): RGB image with 3 samples per pixel; Trowel imports greyscale scans only")
        let noPixels = Self.message { _ = try Self.volume("no-pixels") }
        #expect(noPixels.hasPrefix("\(Self.path("no-pixels"))/n3: DICOM file without pixel data"))
        let sizes = Self.message { _ = try Self.volume("mixed-sizes") }
        #expect(sizes == "\(Self.path("mixed-sizes"))/m2: 30×32 pixels, but the series' first file m1 is 32×32")
        for line in [colour, noPixels, sizes] { #expect(!line.contains("\n")) }
        let tiff = ImportFixtures.path("tiff-u16")
        #expect(Self.message { _ = try DICOMSeriesSet(resolving: [tiff]) } == "no DICOM files in \(tiff) (files with the DICM signature at byte 128)")
    }

    @Test(arguments: ["explicit", "implicit", "rle", "jpeg-lossless", "jpeg-ls", "j2k"])
    func aTruncatedSliceIsAnErrorNamingItNotGarbageOrACrash(name: String) throws {
        let folder = try ImportFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        for k in 1...4 {
            let data = try Data(contentsOf: Self.url("\(name)/IM\(k)"))
            try (k == 3 ? data.prefix(data.count - 300) : data).write(to: folder.appendingPathComponent("IM\(k)"))
        }
        let line = Self.message { _ = try DICOMVolume(series: try DICOMSeriesSet(resolving: [folder.path]).choose(nil)) }
        #expect(line == "\(folder.path)/IM3: the pixel data is cut short (the file is truncated, or still being copied)")
    }

    @Test func dicomInputsAreToldFromImageSlices() throws {
        #expect(DICOMSeriesSet.holdsDICOM([Self.path("j2k")]))
        #expect(DICOMSeriesSet.holdsDICOM([Self.path("multiframe.dcm")]))
        #expect(DICOMSeriesSet.holdsDICOM([Self.path("shuffled") + "/*"]))
        #expect(!DICOMSeriesSet.holdsDICOM([ImportFixtures.path("tiff-u16")]))
        #expect(!DICOMSeriesSet.holdsDICOM([ImportFixtures.path("png-u16")]))
        #expect(!DICOMSeriesSet.holdsDICOM([Self.path("missing-folder")]))
        // A folder of folders: found recursively, named as the user gave the folder.
        let found = try DICOMSeriesSet(resolving: [Self.path("two-series") + "/"])
        #expect(found.series[0].headers[0].path == Self.path("two-series") + "/b1")
    }
}
