import Foundation
import Testing
import TrowelEngine
import TrowelVolume

/// `trowel slurm` writes a script whose command, run locally as array task 0 of 1, segments the project.
struct SlurmCommandTests {
    @Test func writesAScriptThatSegmentsWhenRunAsTaskZero() throws {
        let f = try SegmentCommandTests.Fixture()
        defer { f.scratch.remove() }
        let run = try TrowelBinary.run(["slurm", f.project.path, "--shards", "1", "--cpus", "2", "--mem", "2G", "--partition", "short"])
        #expect(run.status == 0, "\(run.stderr)")
        let file = f.project.appendingPathComponent("segment.sbatch")
        #expect(run.stdout.split(separator: "\n").last.map(String.init) == "sbatch \(file.path)")
        let text = try String(contentsOf: file, encoding: .utf8)
        #expect(text.contains("#SBATCH --array=0-0\n") && text.contains("#SBATCH --partition=short\n"))
        #expect(text.contains("--model \(f.id) --shard \"${SLURM_ARRAY_TASK_ID}/1\" --workers 2 --memory 1792M --json"))
        #expect(text.contains("exec \(TrowelBinary.url.resolvingSymlinksInPath().path) segment"))
        #expect(FileManager.default.fileExists(atPath: f.project.appendingPathComponent("logs").path))

        let bash = Process()
        bash.executableURL = URL(fileURLWithPath: "/bin/bash")
        bash.arguments = [file.path]
        bash.environment = ProcessInfo.processInfo.environment.merging(["SLURM_ARRAY_TASK_ID": "0"]) { $1 }
        let out = Pipe()
        bash.standardOutput = out
        bash.standardError = FileHandle.nullDevice
        try bash.run()
        let output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        bash.waitUntilExit()
        #expect(bash.terminationStatus == 0)
        let summary = try #require(try SegmentCommandTests.lines(output).last)
        #expect(summary["complete"] as? Bool == true && summary["shard"] as? String == "0/1")
        #expect(SegmentationStore(projectURL: f.project, id: f.id).isComplete)
    }

    @Test func badInputIsOneLineAndExitOne() throws {
        let f = try SegmentCommandTests.Fixture()
        defer { f.scratch.remove() }
        let cases: [([String], String)] = [
            (["--shards", "0"], "--shards 0"),
            (["--shards", "4", "--model", "nope"], "nope"),
            (["--shards", "4", "--mem", "lots"], "not understood"),
            (["--shards", "4", "--time", "2h"], "--time 2h"),
        ]
        for (options, text) in cases {
            let r = try TrowelBinary.run(["slurm", f.project.path] + options)
            #expect(r.status == 1, "\(options): \(r.stderr)")
            #expect(r.stderr.contains(text) && r.stderr.split(separator: "\n").count == 1, "\(options): \(r.stderr)")
        }
        // --submit where SLURM is not installed: one line, nothing written.
        let r = try TrowelBinary.run(["slurm", f.project.path, "--shards", "2", "--submit"], environment: ["PATH": "/nonexistent"])
        #expect(r.status == 1 && r.stderr.contains("sinfo not found on PATH") && r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: f.project.appendingPathComponent("segment.sbatch").path))
    }
}
