import Foundation
import Testing
import TrowelVolume

/// `trowel segment` and `trowel export` on the real binary: a 48×64×64 sample with sparse labels
/// and a small model, segmented in 16³ blocks (48 blocks), compared with a single 64³ block.
@Suite(.serialized) struct SegmentCommandTests {
    struct Fixture {
        let scratch: Scratch
        let id: String
        var project: URL { scratch("P.trowel") }

        init() throws {
            scratch = try Scratch()
            #expect(try TrowelBinary.run(["sample", "-o", scratch("D").path, "--size", "64", "--slices", "48"]).status == 0)
            #expect(try TrowelBinary.run(["convert", scratch("D/scan.zarr").path, "-o", scratch("P.trowel").path]).status == 0)
            let truth = try FossilPhantom(size: 64, slices: 48).truthSlices(0..<48)
            var sparse = [UInt8](repeating: 0, count: truth.elements.count)
            for z in [10, 24, 38] {
                for y in stride(from: 1, to: 64, by: 3) {
                    for x in stride(from: 1, to: 64, by: 3) {
                        let i = truth.shape.offset(z: z, y: y, x: x)
                        sparse[i] = truth.elements[i]
                    }
                }
            }
            try Data(sparse).write(to: scratch("labels.raw"))
            let imported = try TrowelBinary.run(["labels", "import", scratch("P.trowel").path, scratch("labels.raw").path,
                                                 "--shape", "48,64,64", "--dtype", "u8"])
            #expect(imported.status == 0, "\(imported.stderr)")
            let train = try TrowelBinary.run(["train", scratch("P.trowel").path, "--json", "--trees", "10", "--sigma", "2", "--folds", "2"])
            #expect(train.status == 0, "\(train.stderr)")
            id = try #require(LearningCommandTests.json(train.stdout)["model"] as? String)
        }

        func labels(_ project: URL) throws -> Block<UInt8> {
            let volume = try MultiscaleVolume.open(at: project.appendingPathComponent("segmentations/\(id).zarr"))
            return try volume.read(volume.shape.box).converted(to: UInt8.self)
        }

        /// The whole volume in one block, in a copy of the project.
        func reference() throws -> Block<UInt8> {
            let copy = scratch("reference.trowel")
            try FileManager.default.copyItem(at: project, to: copy)
            let run = try TrowelBinary.run(["segment", copy.path, "--block", "64"])
            #expect(run.status == 0, "\(run.stderr)")
            return try labels(copy)
        }
    }

    static func lines(_ text: String) throws -> [[String: Any]] {
        try text.split(separator: "\n").map { try LearningCommandTests.json(String($0)) }
    }

    @Test func segmentsResumesAfterKillAndExports() throws {
        let f = try Fixture()
        defer { f.scratch.remove() }
        let reference = try f.reference()
        #expect(Set(reference.elements).isSuperset(of: [1, 2]))

        // kill -9 once the first block is recorded, then run again.
        let done = f.project.appendingPathComponent("segmentations/\(f.id).zarr/.done")
        let process = Process()
        process.executableURL = TrowelBinary.url
        process.arguments = ["segment", f.project.path, "--block", "16", "--workers", "1", "--json"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        var waited = 0
        while ((try? FileManager.default.contentsOfDirectory(atPath: done.path)) ?? []).isEmpty && waited < 60_000 {
            usleep(5_000)
            waited += 5
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        let recorded = try FileManager.default.contentsOfDirectory(atPath: done.path).count
        #expect(recorded >= 1 && recorded < 48)

        // Ctrl-C once another block is recorded: exit 130, finished blocks kept, one line saying how to continue.
        let interrupted = Process()
        interrupted.executableURL = TrowelBinary.url
        interrupted.arguments = ["segment", f.project.path, "--block", "16", "--workers", "1"]
        let errors = Pipe()
        interrupted.standardOutput = FileHandle.nullDevice
        interrupted.standardError = errors
        try interrupted.run()
        waited = 0
        while (try FileManager.default.contentsOfDirectory(atPath: done.path).count) <= recorded && waited < 60_000 {
            usleep(5_000)
            waited += 5
        }
        kill(interrupted.processIdentifier, SIGINT)
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        interrupted.waitUntilExit()
        #expect(interrupted.terminationStatus == 130)
        #expect(message.contains("run the same command to continue") && message.split(separator: "\n").count == 1, "\(message)")

        let rerun = try TrowelBinary.run(["segment", f.project.path, "--block", "16", "--json"])
        #expect(rerun.status == 0, "\(rerun.stderr)")
        let lines = try Self.lines(rerun.stdout)
        let summary = try #require(lines.last)
        #expect(summary["complete"] as? Bool == true)
        #expect((summary["blocks_already_done"] as? Int ?? 0) >= recorded)
        #expect((summary["blocks_already_done"] as? Int ?? 0) + (summary["blocks_computed"] as? Int ?? 0) == 48)
        let progress = lines.dropLast()
        #expect(progress.last?["blocks_done"] as? Int == 48 && progress.last?["blocks_total"] as? Int == 48)
        #expect(progress.allSatisfy { $0["voxels_per_s"] is Double })
        #expect(try f.labels(f.project).elements == reference.elements)

        // The job log tells the story: the killed run shows as interrupted, the Ctrl-C one was
        // cancelled, the last one finished all 48 blocks.
        let jobs = try Self.lines(try TrowelBinary.run(["jobs", f.project.path, "--json"]).stdout)
        #expect(jobs.count == 3 && jobs.allSatisfy { $0["kind"] as? String == "segment" && $0["target"] as? String == f.id })
        #expect(jobs.map { $0["state"] as? String } == ["interrupted", "cancelled", "finished"])
        #expect(jobs.last?["blocks_done"] as? Int == 48 && jobs.last?["blocks_total"] as? Int == 48)

        // TIFF slices read back equal.
        let out = f.scratch("tiff")
        let export = try TrowelBinary.run(["export", f.project.path, "--segmentation", f.id, "--format", "tiff", "-o", out.path])
        #expect(export.status == 0, "\(export.stderr)")
        let files = try FileManager.default.contentsOfDirectory(atPath: out.path).sorted().map { out.appendingPathComponent($0) }
        #expect(files.count == 48)
        let stack = try TIFFStack(files: files)
        #expect(try stack.readSlices(0..<48).converted(to: UInt8.self).elements == reference.elements)
    }

    @Test func shardProcessesAtOnceEqualOneProcess() throws {
        let f = try Fixture()
        defer { f.scratch.remove() }
        let reference = try f.reference()
        let results = (0..<3).map { _ in Locked<TrowelBinary.Result?>(nil) }
        DispatchQueue.concurrentPerform(iterations: 3) { k in
            let r = try? TrowelBinary.run(["segment", f.project.path, "--block", "16", "--workers", "1", "--shard", "\(k)/3", "--json"])
            results[k].set(r)
        }
        var complete = 0
        for k in 0..<3 {
            let r = try #require(results[k].get())
            #expect(r.status == 0, "\(r.stderr)")
            let summary = try #require(try Self.lines(r.stdout).last)
            #expect(summary["blocks_in_shard"] as? Int == 16 && summary["shard"] as? String == "\(k)/3")
            if summary["complete"] as? Bool == true { complete += 1 }
        }
        #expect(complete >= 1)
        #expect(try f.labels(f.project).elements == reference.elements)
        #expect(FileManager.default.fileExists(atPath: f.project.appendingPathComponent("segmentations/\(f.id).zarr/.done/pyramid").path))
    }

    @Test func badInputIsOneLineAndExitOne() throws {
        let f = try Fixture()
        defer { f.scratch.remove() }
        func expectOneLine(_ arguments: [String], _ text: String) throws {
            let r = try TrowelBinary.run(arguments)
            #expect(r.status == 1, "\(arguments): \(r.stderr)")
            #expect(r.stderr.contains(text), "\(r.stderr)")
            #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        }
        let p = f.project.path
        try expectOneLine(["segment", p, "--shard", "3/3"], "--shard 3/3")
        try expectOneLine(["segment", p, "--model", "20990101T000000Z-abcdef"], "no model '20990101T000000Z-abcdef'")
        try expectOneLine(["segment", p, "--memory", "1M"], "is too small")
        try expectOneLine(["segment", p, "--memory", "lots"], "size 'lots' not understood")
        try expectOneLine(["export", p, "--segmentation", f.id, "-o", f.scratch("x").path], "no segmentation '\(f.id)'")
        try expectOneLine(["export", p, "--format", "bmp", "-o", f.scratch("x").path], "--format bmp")
        try expectOneLine(["segment", f.scratch("nothing.trowel").path], "nothing.trowel")

        // No model yet.
        let bare = f.scratch("bare.trowel")
        #expect(try TrowelBinary.run(["convert", f.scratch("D/scan.zarr").path, "-o", bare.path]).status == 0)
        try expectOneLine(["segment", bare.path], "no models yet")

        // Output that cannot be written: 'segmentations' is a file.
        try Data().write(to: bare.deletingLastPathComponent().appendingPathComponent("P.trowel/segmentations"))
        try expectOneLine(["segment", p, "--block", "64"], "cannot write")
    }
}

/// A value shared by test threads.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func get() -> Value { lock.withLock { value } }
    func set(_ v: Value) { lock.withLock { value = v } }
}
