import Foundation
import Testing
import TrowelVolume

/// `trowel convert` and `trowel info` as a user runs them: every input kind, values preserved
/// exactly, and one clear line with exit status 1 for bad input.
@Suite(.serialized) struct ConvertCommandTests {
    let fixtures = TrowelBinary.repository.appendingPathComponent("Tests/TrowelVolumeTests/Fixtures/import")

    /// Converts `inputs` and returns the project's full-resolution voxels.
    func convert(_ inputs: [String], _ extra: [String] = [], scratch: Scratch) throws -> AnyBlock {
        let out = scratch("scan.trowel")
        let r = try TrowelBinary.run(["convert"] + inputs + ["-o", out.path] + extra)
        #expect(r.status == 0, "convert failed: \(r.stderr)")
        #expect(r.stderr.isEmpty, "a pipe gets no progress bar: \(r.stderr)")
        #expect(r.stdout.hasPrefix("created \(out.path)"))
        let volume = try MultiscaleVolume.open(at: out.appendingPathComponent("volume.zarr"))
        return try volume.read(volume.shape.box)
    }

    func elements(_ block: AnyBlock) -> [Double] { block.converted(to: Double.self).elements }

    @Test func tifffileImageJStackImportsWithTheSameValues() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let file = fixtures.appendingPathComponent("imagej-u16.tif")
        let got = try convert([file.path], scratch: scratch)
        #expect(got.dtype == .u16 && got.shape == Shape(z: 3, y: 17, x: 23))
        #expect(elements(got) == elements(try TIFFStack(files: [file]).readSlices(0..<3)))
        // The values tifffile was given (Scripts/make-import-fixtures.py): (b*977+13) % 65536.
        let b = { (z: Int, y: Int, x: Int) in z * 391 + y * 23 + x }
        if case .u16(let block) = got { #expect(block[2, 16, 22] == UInt16((b(2, 16, 22) * 977 + 13) % 65536)) }
    }

    @Test func pngFolderSortsNaturallyAndKeepsSixteenBits() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let folder = fixtures.appendingPathComponent("png-u16")
        let got = try convert([folder.path], scratch: scratch)
        let expected = try PNGStack(files: ["s1.png", "s2.png", "s10.png"].map { folder.appendingPathComponent($0) }).readSlices(0..<3)
        #expect(got.dtype == .u16 && elements(got) == elements(expected))
    }

    @Test func jpeg2000StacksKeepExactValuesInNaturalOrder() throws {
        // The lossless values Scripts/make-jp2-fixtures.py wrote: (b*977+13) % 65536 and (b*37) % 256,
        // where b = z*391 + y*23 + x is just the voxel's index in a 3×17×23 volume.
        let u16 = (0..<(3 * 391)).map { Double(($0 * 977 + 13) % 65536) }
        let u8 = (0..<(3 * 391)).map { Double(($0 * 37) % 256) }
        for (folder, expected, dtype) in [("jp2-u16", u16, DType.u16), ("jp2-u8", u8, .u8)] {
            let scratch = try Scratch()
            defer { scratch.remove() }
            let got = try convert([fixtures.appendingPathComponent(folder).path], scratch: scratch)
            #expect(got.dtype == dtype && got.shape == Shape(z: 3, y: 17, x: 23))
            #expect(elements(got) == expected, "\(folder)")
        }
        // Raw codestreams named one by one, out of order, with a memory cap: sorted naturally, streamed.
        let scratch = try Scratch()
        defer { scratch.remove() }
        let files = ["s10.j2k", "s1.j2k", "s2.j2k"].map { fixtures.appendingPathComponent("j2k-u16/\($0)").path }
        let got = try convert(files, ["--memory", "64M"], scratch: scratch)
        #expect(got.dtype == .u16 && elements(got) == u16)
        let info = try TrowelBinary.run(["info", scratch("scan.trowel").path])
        #expect(info.stdout.contains("3 JPEG 2000 slices in "), "\(info.stdout)")
    }

    @Test func rawVolumeWithHeaderAndBigEndian() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let file = fixtures.appendingPathComponent("u16-big-h64.raw")
        let got = try convert([file.path], ["--shape", "3,17,23", "--dtype", "u16", "--endian", "big", "--header-bytes", "64"],
                              scratch: scratch)
        let expected = try RawVolume(file: file, shape: Shape(z: 3, y: 17, x: 23), dtype: .u16, byteOrder: .big, headerBytes: 64)
        #expect(elements(got) == elements(try expected.readSlices(0..<3)))
    }

    @Test func zarrInputKeepsValuesAndVoxelSize() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let sample = TrowelBinary.repository.appendingPathComponent("SampleData/fossil/scan.zarr")
        let got = try convert([sample.path], ["--chunk", "32"], scratch: scratch)
        #expect(got.shape == .cube(160))
        let source = try MultiscaleVolume.open(at: sample)
        #expect(elements(got) == elements(try source.read(source.shape.box)))
        let info = try TrowelBinary.run(["info", scratch("scan.trowel").path, "--json"])
        let json = try JSONSerialization.jsonObject(with: Data(info.stdout.utf8)) as! [String: Any]
        #expect(json["voxel_size_um"] as? [Double] == [45.5, 45.5, 45.5])
        #expect(json["levels"] as? [[Int]] == [[160, 160, 160]])
        #expect(json["chunks"] as? [Int] == [32, 32, 32])
        #expect((json["classes"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["bone", "matrix"])
    }

    @Test func sampleCommandWritesScanAndTruth() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let r = try TrowelBinary.run(["sample", "-o", scratch("ph").path, "--size", "24", "--slices", "10", "--dtype", "u16"])
        #expect(r.status == 0, "\(r.stderr)")
        let scan = try MultiscaleVolume.open(at: scratch("ph/scan.zarr"))
        let truth = try MultiscaleVolume.open(at: scratch("ph/truth.zarr"))
        #expect(scan.dtype == .u16 && truth.dtype == .u8 && truth.levels.count == 1)
        #expect(scan.voxelSize == .isotropic(45.5))
    }

    /// Each bad input: exit status 1, one line on stderr naming the culprit, no project left behind.
    @Test(arguments: [
        (["convert", "missing-folder", "-o", "OUT"], "missing-folder"),
        (["convert", "FIX/notes.txt", "-o", "OUT"], "notes.txt"),
        (["convert", "FIX/png-mixed-size", "-o", "OUT"], ".png"),
        (["convert", "FIX/truncated.tif", "-o", "OUT"], "truncated.tif"),
        (["convert", "FIX/jp2-u16/s1.jp2", "FIX/jp2-truncated.jp2", "-o", "OUT"], "jp2-truncated.jp2: cannot read"),
        (["convert", "FIX/jp2-rgb.jp2", "-o", "OUT"], "jp2-rgb.jp2: 3 components"),
        (["convert", "FIX/jp2-mixed-size", "-o", "OUT"], "s2.jp2: 23×16 pixels"),
        (["convert", "FIX/u16-big-h64.raw", "--shape", "4,17,23", "--dtype", "u16", "-o", "OUT"], "u16-big-h64.raw"),
        (["convert", "FIX/png-u8", "-o", "FIX"], "already exists"),
        (["convert", "FIX/png-u8", "-o", "/proc/forbidden.trowel"], "/proc"),
        (["convert", "FIX/png-u8", "--voxel-size", "big", "-o", "OUT"], "voxel size 'big'"),
        (["convert", "FIX/png-u8", "--memory", "1K", "-o", "OUT"], "--memory"),
        (["info", "FIX"], "not a Trowel project"),
    ])
    func badInputGivesOneLineAndNothingBehind(arguments: [String], mentions: String) throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let args = arguments.map { $0.replacingOccurrences(of: "FIX", with: fixtures.path).replacingOccurrences(of: "OUT", with: scratch("out.trowel").path) }
        let r = try TrowelBinary.run(args, in: scratch.url)
        #expect(r.status == 1, "status \(r.status): \(r.stderr)")
        let lines = r.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].hasPrefix("trowel: ") && lines[0].contains(mentions), "\(r.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.url.path).isEmpty)
    }
}
