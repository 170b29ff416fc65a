import Foundation
import Testing
import TrowelVolume
@testable import TrowelEngine

struct SlurmScriptTests {
    static func script() -> SlurmScript {
        var s = SlurmScript(trowel: "/opt/trowel/bin/trowel", project: "/scratch/me/scan one.trowel", model: "20260101T000000Z-abc123",
                            shards: 64)
        s.time = "04:30:00"
        s.memory = ByteCount(8 << 30)
        s.cpus = 6
        s.partition = "gpu"
        return s
    }

    @Test func rendersDirectivesAndTheShardCommand() throws {
        let s = Self.script()
        try s.validate()
        let lines = s.text.split(separator: "\n").map(String.init)
        #expect(lines.first == "#!/bin/bash")
        for directive in ["--array=0-63", "--time=04:30:00", "--mem=8192M", "--cpus-per-task=6", "--partition=gpu",
                          "--job-name=trowel-scan_one", "--output=/scratch/me/scan one.trowel/logs/segment-%A_%a.log"] {
            #expect(lines.contains("#SBATCH \(directive)"), "\(directive)")
        }
        // Directives come before the first command, or sbatch ignores them.
        let firstCommand = try #require(lines.firstIndex { !$0.hasPrefix("#") })
        #expect(lines[..<firstCommand].filter { $0.hasPrefix("#SBATCH") }.count == 7)
        #expect(lines[firstCommand] == "set -euo pipefail")
        #expect(lines.last == "exec /opt/trowel/bin/trowel segment '/scratch/me/scan one.trowel' --model 20260101T000000Z-abc123 "
                + "--shard \"${SLURM_ARRAY_TASK_ID}/64\" --workers 6 --memory 7372M --json")
        var plain = Self.script()
        plain.partition = nil
        plain.shards = 1
        #expect(!plain.text.contains("--partition") && plain.text.contains("#SBATCH --array=0-0\n"))
        plain.blockSide = 32
        #expect(plain.text.hasSuffix("--memory 7372M --block 32 --json\n"))
    }

    @Test func segmentMemoryLeavesHeadroom() {
        var s = Self.script()
        s.memory = ByteCount(1 << 30)
        #expect(s.segmentMemory == ByteCount(768 << 20))
        s.memory = ByteCount(100 << 30)
        #expect(s.segmentMemory == ByteCount((100 << 30) - (10 << 30)))
    }

    @Test func bashAcceptsTheScript() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("trowel-\(UUID().uuidString).sbatch")
        defer { try? FileManager.default.removeItem(at: file) }
        var s = Self.script()
        s.project = "/tmp/it's here.trowel"
        try Data(s.text.utf8).write(to: file)
        let bash = Process()
        bash.executableURL = URL(fileURLWithPath: "/bin/bash")
        bash.arguments = ["-n", file.path]
        try bash.run()
        bash.waitUntilExit()
        #expect(bash.terminationStatus == 0)
        #expect(s.text.contains("segment '/tmp/it'\\''s here.trowel'"))
    }

    @Test func rejectsBadSettings() {
        var s = Self.script()
        s.shards = 0
        #expect(throws: SlurmScriptError.badShards(0)) { try s.validate() }
        s = Self.script()
        s.cpus = 0
        #expect(throws: SlurmScriptError.badCPUs(0)) { try s.validate() }
        s = Self.script()
        s.time = "2 hours"
        #expect(throws: SlurmScriptError.badTime("2 hours")) { try s.validate() }
        s = Self.script()
        s.memory = ByteCount(100 << 20)
        #expect(throws: (any Error).self) { try s.validate() }
        s = Self.script()
        s.blockSide = 0
        #expect(throws: SlurmScriptError.badBlock(0)) { try s.validate() }
        s = Self.script()
        for good in ["90", "30:00", "1-12", "1-12:00:00"] {
            s.time = good
            #expect(throws: Never.self) { try s.validate() }
        }
    }
}
