import Foundation
import Testing
import TrowelVolume

/// `trowel convert` on DICOM folders and files as a user runs it, then `trowel info` on the
/// project: Hounsfield units and voxel size kept, several series listed and chosen, gaps refused
/// with one line (nothing left behind) or allowed.
@Suite(.serialized) struct DICOMConvertTests {
    let fixtures = TrowelBinary.repository.appendingPathComponent("Tests/TrowelVolumeTests/Fixtures/dicom")
    static let root = "1.2.826.0.1.3680043.10.1338."

    /// HU of the fixtures (Scripts/make-dicom-fixtures.py) at slice z along the normal, plus `offset`.
    func hu(_ range: Range<Int>, offset: Int = 0) -> [Double] {
        var out: [Double] = []
        for z in range { for y in 0..<32 { for x in 0..<32 { out.append(Double(((z * 1024 + y * 32 + x) * 37 + 100) % 4096 + offset - 1024)) } } }
        return out
    }

    func voxels(_ project: URL) throws -> AnyBlock {
        let volume = try MultiscaleVolume.open(at: project.appendingPathComponent("volume.zarr"))
        return try volume.read(volume.shape.box)
    }

    func info(_ project: URL) throws -> [String: Any] {
        let r = try TrowelBinary.run(["info", project.path, "--json"])
        #expect(r.status == 0, "info failed: \(r.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    }

    @Test func jpeg2000SeriesConvertsWithHounsfieldUnitsAndVoxelSize() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let out = scratch("ct.trowel")
        let r = try TrowelBinary.run(["convert", fixtures.appendingPathComponent("j2k").path, "-o", out.path])
        #expect(r.status == 0, "convert failed: \(r.stderr)")
        #expect(r.stderr.isEmpty, "one series, even spacing: nothing to say")
        #expect(r.stdout.hasPrefix("created \(out.path): 4×32×32"))
        let summary = try info(out)
        #expect(summary["dtype"] as? String == "int16")
        #expect(summary["shape"] as? [Int] == [4, 32, 32])
        #expect(summary["voxel_size_um"] as? [Double] == [1250, 500, 250])
        #expect((summary["source"] as? String)?.contains("JPEG 2000 lossless, int16") == true)
        let got = try voxels(out)
        #expect(got.dtype == .i16 && got.converted(to: Double.self).elements == hu(0..<4))
        // A single multi-frame file, frames stored out of z order.
        let frames = scratch("frames.trowel")
        let m = try TrowelBinary.run(["convert", fixtures.appendingPathComponent("multiframe-rle.dcm").path, "-o", frames.path])
        #expect(m.status == 0, "convert failed: \(m.stderr)")
        #expect(try voxels(frames).converted(to: Double.self).elements == hu(0..<4))
    }

    @Test func severalSeriesAreListedTheLargestConvertedAndSeriesPicksAnother() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let folder = fixtures.appendingPathComponent("two-series").path
        let list = try TrowelBinary.run(["convert", folder, "--list-series"])
        #expect(list.status == 0, "\(list.stderr)")
        let lines = list.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(lines[1].hasPrefix("* \(Self.root)6  5 slices of 32×32  CT  series 6"))
        #expect(lines[2].hasPrefix("  \(Self.root)5  3 slices of 32×32  CT  series 5"))
        let json = try TrowelBinary.run(["convert", folder, "--list-series", "--json", "--series", Self.root + "5"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let rows = try #require(object["series"] as? [[String: Any]])
        #expect(rows.map { $0["uid"] as? String } == [Self.root + "6", Self.root + "5"])
        #expect(rows.map { $0["chosen"] as? Bool } == [false, true])

        let largest = scratch("largest.trowel")
        let r = try TrowelBinary.run(["convert", folder, "-o", largest.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr == "trowel: 2 DICOM series found; converting the largest, \(Self.root)6 (5 slices); --list-series shows the others, --series UID picks one\n")
        #expect(try voxels(largest).converted(to: Double.self).elements == hu(0..<5, offset: 1000))
        let other = scratch("other.trowel")
        let s = try TrowelBinary.run(["convert", folder, "-o", other.path, "--series", Self.root + "5"])
        #expect(s.status == 0 && s.stderr.isEmpty, "\(s.stderr)")
        #expect(try info(other)["voxel_size_um"] as? [Double] == [2000, 500, 250])
        let bad = try TrowelBinary.run(["convert", folder, "-o", scratch("bad.trowel").path, "--series", "1.2.3"])
        #expect(bad.status == 1 && bad.stderr.hasPrefix("trowel: --series 1.2.3: no such series here; found "))
    }

    @Test func anUnevenGapFailsWithOneLineAndLeavesNothingUnlessAllowed() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let folder = fixtures.appendingPathComponent("gap").path
        let out = scratch("gap.trowel")
        let r = try TrowelBinary.run(["convert", folder, "-o", out.path])
        #expect(r.status == 1)
        #expect(r.stderr == "trowel: uneven slice spacing: 2.5 mm between \(folder)/g3 (at 2.5 mm) and g4 (at 5 mm), 1.25 mm elsewhere; a slice may be missing (--allow-gaps imports it anyway with 1.25 mm)\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.url.path).isEmpty, "nothing left behind")
        let allowed = try TrowelBinary.run(["convert", folder, "-o", out.path, "--allow-gaps"])
        #expect(allowed.status == 0, "\(allowed.stderr)")
        #expect(allowed.stderr.hasPrefix("trowel: 1 uneven slice gap (the first: \(folder)/g3 to \(folder)/g4); imported with --allow-gaps at 1.25 mm"))
        #expect(try info(out)["shape"] as? [Int] == [5, 32, 32])
        // The options make no sense for other inputs.
        let tiff = TrowelBinary.repository.appendingPathComponent("Tests/TrowelVolumeTests/Fixtures/import/tiff-u16").path
        let wrong = try TrowelBinary.run(["convert", tiff, "-o", scratch("t.trowel").path, "--allow-gaps"])
        #expect(wrong.status == 1 && wrong.stderr == "trowel: --allow-gaps applies to DICOM input, and these inputs hold no DICOM files\n")
    }
}
