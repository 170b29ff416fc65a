import Foundation
import Testing
@testable import TrowelVolume

/// Inputs the libFuzzer harnesses (Fuzz/, Scripts/fuzz) found crashing Trowel, fed through the same
/// public API as the harness: each must now be a typed, one-line error naming the file.
struct FuzzRegressionTests {
    func fixture(_ name: String) -> URL {
        Bundle.module.resourceURL!.appendingPathComponent("Fixtures/Fuzz").appendingPathComponent(name)
    }

    /// fuzz-dicom: a file meta group whose lengths do not add up failed an assert() inside GDCM
    /// (Debian builds it with asserts on), which aborted the process.
    @Test func aDICOMFileThatFailsAGDCMAssertIsAnError() throws {
        let file = fixture("dicom-file-meta-assert.dcm")
        #expect(DICOMSeriesSet.isDICOM(fileAt: file.path))
        do {
            let header = try DICOMHeader(reading: file)
            // Should GDCM accept it after all, the geometry and pixels must fail cleanly too.
            let volume = try DICOMVolume(series: DICOMSeries(uid: header.seriesUID, headers: [header]))
            _ = try volume.readSlices(0..<volume.shape.z)
        } catch let error as DICOMError {
            #expect("\(error)".contains(file.path), "\(error)")
            #expect(!"\(error)".contains("\n"))
        }
        // The guard is per call: a good file still reads afterwards.
        let good = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/dicom/explicit/IM1")
        #expect(try DICOMHeader(reading: good).rows > 0)
    }

    /// fuzz-dicom, second run: a 791-byte file whose file meta group declares a 4 GB element made
    /// GDCM allocate 4 GB before reading it (an out-of-memory kill on most machines).
    @Test func aDICOMElementLongerThanTheFileIsRefusedBeforeGDCMAllocatesIt() throws {
        let file = fixture("dicom-4gb-element.dcm")
        do {
            _ = try DICOMHeader(reading: file)
            Issue.record("the header was read")
        } catch {
            #expect("\(error)".contains(file.path) && "\(error)".contains("more than the"), "\(error)")
        }
        // Third run: a data set element whose VR bytes are not a VR ("C6"), read by GDCM with a
        // 4-byte length of 3.6 GB from a 1.6 KB file.
        let badVR = fixture("dicom-bad-vr-huge-length.dcm")
        do {
            _ = try DICOMHeader(reading: badVR)
            Issue.record("the header was read")
        } catch {
            #expect("\(error)".contains(badVR.path) && "\(error)".contains("no valid VR"), "\(error)")
        }
    }

    /// fuzz-dicom, fourth run (a SEGV): multiframe-j2k.dcm with one byte changed, the VR of the
    /// Plane Orientation Sequence inside the shared functional groups ("SQ" to "S;"). GDCM keeps
    /// that element as UN bytes and parses them into a new sequence on every GetValueAsSQ(), owned
    /// only by the smart pointer it returns; the header reader let that pointer go and then read the
    /// item through a dangling pointer. GDCM recovers the sequence, so the file must read exactly as
    /// the fixture it came from.
    @Test func aFunctionalGroupSequenceStoredAsUNReadsLikeTheOriginal() throws {
        let file = fixture("dicom-un-sequence-freed-item.dcm")
        let original = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/dicom/multiframe-j2k.dcm")
        let header = try DICOMHeader(reading: file), expected = try DICOMHeader(reading: original)
        let orientation = try #require(header.orientation), wanted = try #require(expected.orientation)
        #expect(orientation.row == wanted.row && orientation.column == wanted.column)
        #expect(header.position == expected.position && header.frames == expected.frames)
        let volume = try DICOMVolume(series: DICOMSeries(uid: header.seriesUID, headers: [header]))
        let reference = try DICOMVolume(series: DICOMSeries(uid: expected.seriesUID, headers: [expected]))
        #expect(volume.shape == reference.shape && volume.dtype == reference.dtype)
        #expect(try DICOMReaderTests.values(volume) == DICOMReaderTests.values(reference))
    }

    /// fuzz-dicom (slow units, 1–3 s each under ASan, one a 20 s timeout): an explicit VR file whose
    /// data set goes on with zeros where a tag and VR should be. GDCM gives up on explicit VR there
    /// and re-reads the data set as a mix of explicit and implicit VR elements, in which a later
    /// run of bytes becomes a 2 GB length that GDCM allocated (and zeroed) before failing. The length
    /// walk now follows that reading too and refuses the file, quickly.
    @Test(arguments: ["dicom-mixed-vr-fallback-2gb-a.dcm", "dicom-mixed-vr-fallback-2gb-b.dcm", "dicom-mixed-vr-fallback-2gb-c.dcm"])
    func anElementWithoutAVRIsFollowedAsGDCMsMixedVRFallbackReadsIt(_ name: String) throws {
        let file = fixture(name)
        let start = ContinuousClock.now
        do {
            _ = try DICOMHeader(reading: file)
            Issue.record("the header was read")
        } catch {
            #expect("\(error)".contains(file.path) && "\(error)".contains("more than the"), "\(error)")
            #expect(!"\(error)".contains("\n"))
        }
        let elapsed = ContinuousClock.now - start
        #expect(elapsed < .milliseconds(250), "reading took \(elapsed)")
    }

    /// What the fallback walk must still let through: explicit VR public elements with implicit VR
    /// private ones (old scanners write such files; GDCM reads them with its explicit/implicit
    /// reader). Made from explicit/IM1 with two implicit private elements inserted before
    /// (0010,0010); it must read exactly as IM1.
    @Test func privateElementsInImplicitVRAmongExplicitOnesStillRead() throws {
        let source = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/dicom/explicit/IM1")
        var bytes = [UInt8](try Data(contentsOf: source))
        let patientName: [UInt8] = [0x10, 0x00, 0x10, 0x00, 0x50, 0x4e]  // (0010,0010) PN
        let at = try #require((0...(bytes.count - patientName.count)).first { Array(bytes[$0..<($0 + 6)]) == patientName })
        func implicit(_ group: UInt16, _ element: UInt16, _ value: [UInt8]) -> [UInt8] {
            let length = UInt32(value.count)
            return [UInt8(group & 0xff), UInt8(group >> 8), UInt8(element & 0xff), UInt8(element >> 8),
                    UInt8(length & 0xff), UInt8(length >> 8 & 0xff), UInt8(length >> 16 & 0xff), UInt8(length >> 24)] + value
        }
        bytes.insert(contentsOf: implicit(0x0009, 0x0010, Array("TROWEL  ".utf8)) + implicit(0x0009, 0x1001, [0xd2, 0x04, 0, 0]), at: at)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("trowel-mixed-vr-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("IM1")
        try Data(bytes).write(to: file)
        let header = try DICOMHeader(reading: file), expected = try DICOMHeader(reading: source)
        #expect(header.rows == expected.rows && header.position == expected.position)
        let volume = try DICOMVolume(series: DICOMSeries(uid: header.seriesUID, headers: [header]))
        let reference = try DICOMVolume(series: DICOMSeries(uid: expected.seriesUID, headers: [expected]))
        #expect(try DICOMReaderTests.values(volume) == DICOMReaderTests.values(reference))
    }

    /// fuzz-dicom (a slow unit): an explicit VR fixture whose Rows became 14 880, so its 2 KB of
    /// uncompressed pixel data holds a fraction of one 32 × 14 880 frame. The reader handed such
    /// data to GDCM, which "decoded" 952 KB from it (reading past the element) in place of
    /// refusing; now it is a one-line error naming the file before anything is decoded.
    @Test func uncompressedPixelDataShorterThanItsFramesIsAnError() throws {
        let file = fixture("dicom-short-native-pixel-data.dcm")
        let start = ContinuousClock.now
        do {
            let header = try DICOMHeader(reading: file)
            let volume = try DICOMVolume(series: DICOMSeries(uid: header.seriesUID, headers: [header]))
            _ = try volume.readSlices(0..<volume.shape.z)
            Issue.record("the slices were read")
        } catch let error as DICOMError {
            #expect("\(error)".contains(file.path) && "\(error)".contains("2048 bytes"), "\(error)")
            #expect(!"\(error)".contains("\n"))
        }
        let elapsed = ContinuousClock.now - start
        #expect(elapsed < .milliseconds(250), "reading took \(elapsed)")
    }

    /// fuzz-dicom, fifth run (a trap): explicit/IM1 with the Rows tag damaged into (0000,0010), so
    /// the image is 32 × 0 pixels; choosing the output type took the value range of no samples.
    @Test func aDICOMImageWithoutRowsIsAnError() throws {
        let file = fixture("dicom-no-rows.dcm")
        do {
            let header = try DICOMHeader(reading: file)
            _ = try DICOMVolume(series: DICOMSeries(uid: header.seriesUID, headers: [header]))
            Issue.record("the volume opened")
        } catch let error as DICOMError {
            #expect("\(error)".contains(file.path) && "\(error)".contains("32 × 0 pixels"), "\(error)")
            #expect(!"\(error)".contains("\n"))
        }
    }

    /// fuzz-tiff (a slow unit, 3 s): a 1.8 KB ImageJ file declaring a 17 × 14 811 159 16-bit page
    /// made every read allocate 500 MB before libtiff found the strips missing.
    @Test func aTIFFPageLargerThanTheFileCanHoldIsRefusedBeforeAllocating() throws {
        let file = fixture("tiff-huge-imagej-page.tif")
        #expect(throws: ImportError.self) { _ = try GreyImageFile.read(file) }
        do {
            _ = try TIFFStack(files: [file])
            Issue.record("the stack opened")
        } catch let error as ImportError {
            #expect("\(error)".contains(file.path) && "\(error)".contains("truncated or corrupt"), "\(error)")
        }
    }

    /// fuzz-tiff, third run: a 2 KB file with 268 435 472 × 16 tiles for a 17 × 23 float page made
    /// the tile buffer 17 GB.
    @Test func aTIFFWithTilesLargerThanTheFileCanHoldIsRefused() throws {
        let file = fixture("tiff-huge-tiles.tif")
        do {
            let stack = try TIFFStack(files: [file])
            _ = try stack.readSlices(0..<stack.shape.z)
            Issue.record("the stack was read")
        } catch let error as ImportError {
            #expect("\(error)".contains(file.path) && "\(error)".contains("tiles are"), "\(error)")
        }
        // Tiles larger than a small page are fine: the fixture of a tiled TIFF still reads.
        let tiled = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/import/tiled-u16.tif")
        #expect(try TIFFStack(files: [tiled]).shape.voxelCount > 0)
    }

    /// fuzz-png: a 162-byte file whose header declares 23 × 2 046 820 369 pixels made the import
    /// allocate 47 GB for the slice before libpng found the data missing.
    @Test func aPNGDeclaringMoreThanItCanHoldIsRefusedBeforeAllocating() throws {
        let file = fixture("png-huge-header.png")
        #expect(throws: ImportError.self) { _ = try GreyImageFile.read(file) }
        do {
            _ = try PNGStack(files: [file])
            Issue.record("the stack opened")
        } catch let error as ImportError {
            #expect("\(error)".contains(file.path) && "\(error)".contains("truncated or corrupt"), "\(error)")
        }
    }
}
