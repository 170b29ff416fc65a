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

    /// An output name near the 255-byte limit is valid, but its hidden staging folder
    /// (`.NAME.partial-PID`) was not: the convert failed with an error about a folder the user never
    /// named. Now the staging name is shortened, and a name that is too long names the output.
    @Test func aLongOutputNameConvertsAndNoErrorNamesTheStagingFolder() throws {
        let f = try Fixture()
        defer { f.scratch.remove() }
        let scan = f.scratch("D/scan.zarr").path
        let long = f.scratch(String(repeating: "a", count: 240) + ".trowel")
        let converted = try TrowelBinary.run(["convert", scan, "-o", long.path])
        #expect(converted.status == 0, "\(converted.stderr)")
        #expect(FileManager.default.fileExists(atPath: long.appendingPathComponent("project.sqlite").path))
        let tooLong = f.scratch(String(repeating: "b", count: 260) + ".trowel")
        let line = try Self.expectOneLine(["convert", scan, "-o", tooLong.path], [tooLong.lastPathComponent])
        #expect(!line.contains(".partial-"), "\(line)")
        let hidden = try FileManager.default.contentsOfDirectory(atPath: f.scratch.url.path).filter { $0.hasPrefix(".") }
        #expect(hidden.isEmpty, "\(hidden)")
    }

    /// A Zarr declaring far more voxels than the disk holds used to start converting (and grow to
    /// gigabytes of memory); now it fails at once, naming the output and the space it needs.
    @Test func aScanThatCannotFitOnTheDiskFailsAtOnce() throws {
        let f = try Fixture()
        defer { f.scratch.remove() }
        let huge = f.scratch("huge.zarr")
        try FileManager.default.createDirectory(at: huge, withIntermediateDirectories: true)
        try Data(#"{"zarr_format":2,"shape":[100000,100000,100000],"chunks":[64,64,64],"dtype":"|u1","compressor":null,"fill_value":0,"order":"C","filters":null}"#.utf8)
            .write(to: huge.appendingPathComponent(".zarray"))
        let out = f.scratch("huge.trowel")
        try Self.expectOneLine(["convert", huge.path, "-o", out.path], ["\(out.path): needs at least", "free"])
        #expect(!FileManager.default.fileExists(atPath: out.path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: f.scratch.url.path).filter { $0.hasPrefix(".") }.isEmpty)
    }

    /// Imports a few labels on slice 8 and trains a small model; returns its id.
    static func train(_ f: Fixture) throws -> String {
        var labels = [UInt8](repeating: 0, count: 16 * 32 * 32)
        for i in stride(from: 0, to: 32 * 32, by: 5) { labels[8 * 32 * 32 + i] = i % 2 == 0 ? 1 : 2 }
        try Data(labels).write(to: f.scratch("labels.raw"))
        let imported = try TrowelBinary.run(["labels", "import", f.project.path, f.scratch("labels.raw").path, "--shape", "16,32,32", "--dtype", "u8"])
        #expect(imported.status == 0, "\(imported.stderr)")
        let train = try TrowelBinary.run(["train", f.project.path, "--no-auto", "--trees", "4", "--sigma", "1", "--json"])
        #expect(train.status == 0, "\(train.stderr)")
        return try #require(LearningCommandTests.json(train.stdout)["model"] as? String)
    }

    /// `segment --block 1` was accepted (millions of blocks, hours): now it says why not.
    @Test func aTinyBlockIsRefusedSayingWhy() throws {
        let f = try Fixture()
        defer { f.scratch.remove() }
        _ = try Self.train(f)
        for side in ["1", "15", "0"] {
            try Self.expectOneLine(["segment", f.project.path, "--block", side], ["--block \(side): give at least 16", "halo"])
        }
        try Self.expectOneLine(["segment", f.project.path, "--block", "100000"], ["--block 100000: give at most 4096"])
        let segmentations = f.project.appendingPathComponent("segmentations").path
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: segmentations)) ?? []).isEmpty)
    }

    /// The pid of a process that has exited.
    static func deadPID() throws -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/true")
        try p.run()
        p.waitUntilExit()
        return p.processIdentifier
    }

    /// This host's name as temporary files record it.
    static var host: String {
        var buffer = [CChar](repeating: 0, count: 256)
        return gethostname(&buffer, buffer.count) == 0 ? String(cString: buffer) : "localhost"
    }

    /// `kill -9` during `convert` left `.NAME.trowel.partial-PID` for ever; the next convert reclaims it.
    @Test func aConvertKilledMidWayIsCleanedUpByTheNext() throws {
        let f = try Fixture()
        defer { f.scratch.remove() }
        // Random bytes compress slowly, so the convert is still running when it is killed.
        var generator = SystemRandomNumberGenerator()
        let words = (0..<(64 * 512 * 512 / 8)).map { _ in generator.next() as UInt64 }
        try words.withUnsafeBytes { try Data($0).write(to: f.scratch("big.raw")) }
        let out = f.scratch("big.trowel")
        let process = Process()
        process.executableURL = TrowelBinary.url
        process.arguments = ["convert", f.scratch("big.raw").path, "--shape", "64,512,512", "--dtype", "u8", "-o", out.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let partial = f.scratch(".big.trowel.partial-\(process.processIdentifier)")
        let deadline = Date().addingTimeInterval(30)
        while process.isRunning, Date() < deadline,
              !FileManager.default.fileExists(atPath: partial.appendingPathComponent("volume.zarr/0/.zarray").path) {
            usleep(5_000)
        }
        #expect(process.isRunning, "the convert finished before it could be killed")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        #expect(FileManager.default.fileExists(atPath: partial.path), "kill -9 should leave the staging folder")
        #expect(!FileManager.default.fileExists(atPath: out.path))

        let again = try TrowelBinary.run(["convert", f.scratch("D/scan.zarr").path, "-o", out.path])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(!FileManager.default.fileExists(atPath: partial.path), "the next convert should reclaim the dead one's folder")
        let hidden = try FileManager.default.contentsOfDirectory(atPath: f.scratch.url.path).filter { $0.hasPrefix(".") }
        #expect(hidden.isEmpty, "\(hidden)")
    }

    /// `kill -9` during `segment` (or painting) can leave a 0-byte `.trowel-tmp-*` in a chunk folder:
    /// the next run removes those of dead writers and keeps those a live writer is still using.
    @Test func temporaryChunksOfAKilledRunAreRemovedByTheNext() throws {
        let f = try Fixture()
        defer { f.scratch.remove() }
        let id = try Self.train(f)
        let first = try TrowelBinary.run(["segment", f.project.path, "--block", "16"])
        #expect(first.status == 0, "\(first.stderr)")
        let chunkFolder = f.project.appendingPathComponent("segmentations/\(id).zarr/0/0/0")
        let labelFolder = f.project.appendingPathComponent("labels.zarr/0/0")
        let dead = try Self.deadPID()
        var planted: [URL] = []
        for folder in [chunkFolder, labelFolder] {
            #expect(FileManager.default.fileExists(atPath: folder.path), "\(folder.path)")
            let abandoned = folder.appendingPathComponent(".trowel-tmp-\(Self.host)~\(dead)~0-\(UUID().uuidString)")
            let live = folder.appendingPathComponent(".trowel-tmp-\(Self.host)~\(getpid())~1-\(UUID().uuidString)")
            try Data().write(to: abandoned)
            try Data().write(to: live)
            planted += [abandoned, live]
        }
        let again = try TrowelBinary.run(["segment", f.project.path, "--block", "16"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(!FileManager.default.fileExists(atPath: planted[0].path), "segment left a dead writer's temporary chunk")
        #expect(FileManager.default.fileExists(atPath: planted[1].path), "segment removed a live writer's temporary chunk")
        let imported = try TrowelBinary.run(["labels", "import", f.project.path, f.scratch("labels.raw").path, "--shape", "16,32,32", "--dtype", "u8"])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(!FileManager.default.fileExists(atPath: planted[2].path), "opening the labels left a dead writer's temporary chunk")
        #expect(FileManager.default.fileExists(atPath: planted[3].path))
    }

    /// A deleted labels chunk lost its labels silently and a corrupt one blocked the project: both
    /// are reported with the slices they held, and can be set aside so work goes on.
    @Test func aDeletedOrCorruptLabelsChunkIsReported() throws {
        let f = try Fixture()
        defer { f.scratch.remove() }
        _ = try Self.train(f)
        let chunk = f.project.appendingPathComponent("labels.zarr/0/0/0")
        try FileManager.default.removeItem(at: chunk)
        let info = try TrowelBinary.run(["info", f.project.path])
        #expect(info.status == 0, "\(info.stderr)")
        #expect(info.stdout.contains("damage     labels.zarr/0/0/0 (slices 0–15, rows 0–31, columns 0–31) is missing"), "\(info.stdout)")
        let missing = try TrowelBinary.run(["labels", "check", f.project.path])
        #expect(missing.status == 1)
        #expect(missing.stdout.contains("labels.zarr/0/0/0 (slices 0–15, rows 0–31, columns 0–31) is missing"), "\(missing.stdout)")
        #expect(missing.stderr.split(separator: "\n").count == 1 && missing.stderr.contains("1 damaged labels chunk"), "\(missing.stderr)")

        let imported = try TrowelBinary.run(["labels", "import", f.project.path, f.scratch("labels.raw").path, "--shape", "16,32,32", "--dtype", "u8"])
        #expect(imported.status == 0, "\(imported.stderr)")
        try Data("garbage, not a zstd frame".utf8).write(to: chunk)
        let corrupt = try TrowelBinary.run(["labels", "check", f.project.path])
        #expect(corrupt.status == 1)
        #expect(corrupt.stdout.contains("labels.zarr/0/0/0 (slices 0–15, rows 0–31, columns 0–31) cannot be read"), "\(corrupt.stdout)")
        let aside = try TrowelBinary.run(["labels", "check", f.project.path, "--set-aside"])
        #expect(aside.status == 0, "\(aside.stderr)")
        #expect(aside.stdout.contains("moved to labels.zarr/.damaged/"), "\(aside.stdout)")
        let again = try TrowelBinary.run(["labels", "check", f.project.path])
        #expect(again.status == 0 && again.stdout.contains("labels are intact"), "\(again.stdout) \(again.stderr)")
    }

    /// How to run trowel as a user who may not write the project: root writes anything, so as root
    /// the binary runs as `nobody` through setpriv; nil when that is impossible.
    static var unprivileged: [String]? {
        if getuid() != 0 { return [] }
        return FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")
            ? ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] : nil
    }

    /// Sets `mode` on `url` and everything under it.
    static func chmod(_ url: URL, _ mode: (_ isFolder: Bool) -> Int) throws {
        let fm = FileManager.default
        var paths = [url.path]
        if let walk = fm.enumerator(atPath: url.path) { for case let p as String in walk { paths.append(url.path + "/" + p) } }
        for path in paths {
            var isFolder: ObjCBool = false
            _ = fm.fileExists(atPath: path, isDirectory: &isFolder)
            try fm.setAttributes([.posixPermissions: mode(isFolder.boolValue)], ofItemAtPath: path)
        }
    }

    /// A project the user may not write failed every command, the viewer included, with "attempt to
    /// write a readonly database". Now it opens read-only: info, eval, export, mesh and the viewer
    /// work, and the commands that must write say so in one line.
    @Test(.enabled(if: unprivileged != nil, "needs a non-root user or setpriv to run as nobody"))
    func aReadOnlyProjectOpensReadOnly() throws {
        let f = try Fixture()
        let launcher = try #require(Self.unprivileged)
        _ = try Self.train(f)
        let segmented = try TrowelBinary.run(["segment", f.project.path, "--block", "16"])
        #expect(segmented.status == 0, "\(segmented.stderr)")
        let out = f.scratch("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: out.path)
        try Self.chmod(f.project) { $0 ? 0o555 : 0o444 }
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: f.scratch.url.path)
        defer {
            try? Self.chmod(f.project) { $0 ? 0o755 : 0o644 }
            f.scratch.remove()
        }
        let before = try FileManager.default.subpathsOfDirectory(atPath: f.project.path).sorted()
        func run(_ arguments: [String]) throws -> TrowelBinary.Result { try TrowelBinary.run(arguments, launcher: launcher) }

        let info = try run(["info", f.project.path])
        #expect(info.status == 0 && info.stdout.contains("16 × 32 × 32"), "\(info.stderr)")
        let eval = try run(["eval", f.project.path, "--truth", f.scratch("D/truth.zarr").path, "--json"])
        #expect(eval.status == 0, "\(eval.stderr)")
        let export = try run(["export", f.project.path, "--format", "raw", "-o", out.appendingPathComponent("masks").path])
        #expect(export.status == 0, "\(export.stderr)")
        let mesh = try run(["mesh", f.project.path, "--class", "bone", "-o", out.appendingPathComponent("bone.stl").path])
        #expect(mesh.status == 0, "\(mesh.stderr)")
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("bone.stl").path))

        for (arguments, action) in [(["mesh", f.project.path, "--class", "bone"], "give -o"),
                                    (["train", f.project.path, "--no-auto", "--trees", "2"], "training"),
                                    (["segment", f.project.path, "--block", "16"], "segmenting"),
                                    (["labels", "import", f.project.path, f.scratch("labels.raw").path, "--shape", "16,32,32", "--dtype", "u8"], "importing labels"),
                                    (["labels", "undo", f.project.path], "undoing an import")] {
            let r = try run(arguments)
            #expect(r.status == 1, "\(arguments): \(r.stderr)")
            let lines = r.stderr.split(separator: "\n")
            #expect(lines.count == 1 && lines[0].contains("\(f.project.path): read-only") && lines[0].contains(action), "\(arguments): \(r.stderr)")
            #expect(!r.stderr.contains("readonly database"))
        }
        #expect(try FileManager.default.subpathsOfDirectory(atPath: f.project.path).sorted() == before)

        // The viewer opens, says why it is read-only, refuses to paint, and quits cleanly.
        let tmux = Tmux()
        defer { tmux.kill() }
        let status = out.appendingPathComponent("status")
        let prefix = launcher.joined(separator: " ")
        // The launcher execs trowel itself: through env, the unprivileged user would have to reach
        // the build folder on its own (a 0700 folder above the clone stops it).
        try tmux.start("env TERM=xterm-256color HOME=\(out.path) XDG_CONFIG_HOME=\(out.path) \(prefix) \(TrowelBinary.url.path) \(f.project.path); "
                       + "echo $? > \(status.path); sleep 60")
        try tmux.wait(for: "read-only: you have no permission to write in this project")
        try tmux.keys("Space", "l", "l", "Space")
        try tmux.wait(for: "read-only")
        try tmux.keys("q")
        try tmux.wait(forFile: status)
        #expect(try String(contentsOf: status, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) == "0")
        #expect(try FileManager.default.subpathsOfDirectory(atPath: f.project.path).sorted() == before)
    }
}
