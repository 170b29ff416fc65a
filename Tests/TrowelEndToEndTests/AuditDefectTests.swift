import Foundation
import Testing
import TrowelVolume

/// The defects an audit found by handing Trowel bad input and faults as a user would (issue 11):
/// each must end with one line naming what the user gave and what is wrong, exit status 1, and
/// nothing lost or left behind.
@Suite(.serialized) struct AuditDefectTests {
    /// A small sample converted to a project.
    struct Fixture {
        let scratch: Scratch
        var project: URL { scratch("P.trowel") }

        init() throws {
            scratch = try Scratch()
            let sample = try TrowelBinary.run(["sample", "-o", scratch("D").path, "--size", "32", "--slices", "16"])
            #expect(sample.status == 0, "\(sample.stderr)")
            let convert = try TrowelBinary.run(["convert", scratch("D/scan.zarr").path, "-o", project.path])
            #expect(convert.status == 0, "\(convert.stderr)")
        }
    }

    /// Runs trowel and checks: exit status 1, one line on stderr containing every one of `texts`.
    @discardableResult
    static func expectOneLine(_ arguments: [String], _ texts: [String], in directory: URL? = nil,
                              sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let r = try TrowelBinary.run(arguments, in: directory)
        #expect(r.status == 1, "\(arguments): status \(r.status): \(r.stderr)", sourceLocation: sourceLocation)
        let lines = r.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].hasPrefix("trowel: "), "\(arguments): \(r.stderr)", sourceLocation: sourceLocation)
        for text in texts {
            #expect(r.stderr.contains(text), "\(arguments): expected '\(text)' in \(r.stderr)", sourceLocation: sourceLocation)
        }
        return r.stderr
    }

    /// A raw `--shape` whose voxel count overflows an Int crashed (SIGILL) in `Shape.voxelCount`.
    @Test func anOverflowingRawShapeIsAnErrorNotACrash() throws {
        let f = try Fixture()
        defer { f.scratch.remove() }
        try Data(count: 100).write(to: f.scratch("scan.raw"))
        let raw = f.scratch("scan.raw").path
        for shape in ["9223372036854775807,2,2", "4611686018427387904,2,1", "2097152,2097152,2097152"] {
            try Self.expectOneLine(["convert", raw, "--shape", shape, "--dtype", "u16", "-o", f.scratch("out.trowel").path],
                                   ["scan.raw", "--shape \(shape)", "more than Trowel can address"])
            try Self.expectOneLine(["labels", "import", f.project.path, raw, "--shape", shape, "--dtype", "u8"], ["scan.raw", "more than Trowel can address"])
        }
        // A header so large that header + data overflows.
        try Self.expectOneLine(["convert", raw, "--shape", "10,10,1", "--dtype", "u8", "--header-bytes", "9223372036854775800",
                                "-o", f.scratch("out.trowel").path], ["scan.raw", "--header-bytes"])
        // A memory cap too large for an Int.
        try Self.expectOneLine(["convert", raw, "--shape", "10,10,1", "--dtype", "u8", "--memory", "1e30G", "-o", f.scratch("out.trowel").path],
                               ["size '1e30G' not understood"])
        // A .zarray whose shape overflows.
        let huge = f.scratch("huge.zarr")
        try FileManager.default.createDirectory(at: huge, withIntermediateDirectories: true)
        try Data(#"{"zarr_format":2,"shape":[4000000000000000,4000000000000000,4000000000000000],"chunks":[64,64,64],"dtype":"|u1","compressor":null,"fill_value":0,"order":"C","filters":null}"#.utf8)
            .write(to: huge.appendingPathComponent(".zarray"))
        try Self.expectOneLine(["convert", huge.path, "-o", f.scratch("out.trowel").path], ["huge.zarr/.zarray", "more than Trowel can address"])
        #expect(!FileManager.default.fileExists(atPath: f.scratch("out.trowel").path))
    }

    /// Malformed `.zarray` files were all reported as "no OME-NGFF 'multiscales' attribute", in
    /// `convert`, `eval --truth` and `mesh --from`.
    @Test(arguments: [
        (#"{"zarr_format": 2, "shape": [16, 32"#, "invalid Zarr metadata: not valid JSON"),
        (#"{"zarr_format":2,"shape":[-16,32,32],"chunks":[8,8,8],"dtype":"|u1","compressor":null,"fill_value":0,"order":"C","filters":null}"#,
         "'shape' is not a list of non-negative integers"),
        (#"{"zarr_format":2,"shape":[16,32,32],"chunks":[8,8,8],"dtype":"|u1","compressor":{"id":"lzma"},"fill_value":0,"order":"C","filters":null}"#,
         "unknown compressor 'lzma'"),
        (#"{"zarr_format":2,"shape":[16,32,32],"chunks":[8,8,8],"dtype":"<c16","compressor":null,"fill_value":0,"order":"C","filters":null}"#,
         "unsupported dtype '<c16'"),
    ])
    func aMalformedZarrayIsReportedAsItsOwnFault(zarray: String, fault: String) throws {
        let f = try Fixture()
        defer { f.scratch.remove() }
        let bad = f.scratch("bad.zarr")
        try FileManager.default.createDirectory(at: bad, withIntermediateDirectories: true)
        try Data(zarray.utf8).write(to: bad.appendingPathComponent(".zarray"))
        let file = bad.appendingPathComponent(".zarray").path
        for arguments in [["convert", bad.path, "-o", f.scratch("out.trowel").path],
                          ["eval", f.project.path, "--truth", bad.path],
                          ["mesh", f.project.path, "--class", "bone", "--from", bad.path, "-o", f.scratch("m.stl").path],
                          ["labels", "import", f.project.path, bad.path]] {
            let line = try Self.expectOneLine(arguments, ["\(file): ", fault])
            #expect(!line.contains("multiscales"), "\(arguments[0]): \(line)")
        }
        #expect(!FileManager.default.fileExists(atPath: f.scratch("out.trowel").path))
        #expect(!FileManager.default.fileExists(atPath: f.scratch("m.stl").path))
    }

    /// Errors named the hidden staging folder (`.c2.trowel.partial-N/volume.zarr/0: zstd level 99`)
    /// or the output when the input was at fault (a Zarr of shape [0, 64, 64]).
    @Test func errorsNameWhatTheUserGave() throws {
        let f = try Fixture()
        defer { f.scratch.remove() }
        let scan = f.scratch("D/scan.zarr").path
        let level = try Self.expectOneLine(["convert", scan, "-o", f.scratch("c2.trowel").path, "--compressor", "zstd:99"],
                                           ["--compressor zstd:99: zstd level 99 is not"])
        #expect(!level.contains(".partial-"))
        let empty = f.scratch("empty.zarr")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        try Data(#"{"zarr_format":2,"shape":[0,64,64],"chunks":[8,8,8],"dtype":"|u1","compressor":null,"fill_value":0,"order":"C","filters":null}"#.utf8)
            .write(to: empty.appendingPathComponent(".zarray"))
        let line = try Self.expectOneLine(["convert", empty.path, "-o", f.scratch("e.trowel").path], [empty.path, "0×64×64", "nothing to convert"])
        #expect(!line.contains("e.trowel") && !line.contains(".partial-"))
        let left = try FileManager.default.contentsOfDirectory(atPath: f.scratch.url.path).sorted()
        #expect(left == ["D", "P.trowel", "empty.zarr"])
    }

    /// `segment --block 1` was accepted (millions of blocks, hours): now it says why not.
    @Test func aTinyBlockIsRefusedSayingWhy() throws {
        let f = try Fixture()
        defer { f.scratch.remove() }
        try Data(count: 16 * 32 * 32).write(to: f.scratch("none.raw"))
        var labels = [UInt8](repeating: 0, count: 16 * 32 * 32)
        for i in stride(from: 0, to: 32 * 32, by: 5) { labels[8 * 32 * 32 + i] = i % 2 == 0 ? 1 : 2 }
        try Data(labels).write(to: f.scratch("labels.raw"))
        let imported = try TrowelBinary.run(["labels", "import", f.project.path, f.scratch("labels.raw").path, "--shape", "16,32,32", "--dtype", "u8"])
        #expect(imported.status == 0, "\(imported.stderr)")
        let train = try TrowelBinary.run(["train", f.project.path, "--no-auto", "--trees", "4", "--sigma", "1"])
        #expect(train.status == 0, "\(train.stderr)")
        for side in ["1", "15", "0"] {
            try Self.expectOneLine(["segment", f.project.path, "--block", side], ["--block \(side): give at least 16", "halo"])
        }
        try Self.expectOneLine(["segment", f.project.path, "--block", "100000"], ["--block 100000: give at most 4096"])
        let segmentations = f.project.appendingPathComponent("segmentations").path
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: segmentations)) ?? []).isEmpty)
    }
}
