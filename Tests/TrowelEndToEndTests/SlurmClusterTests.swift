import Foundation
import Testing
import TrowelVolume

/// `trowel slurm` on a real one-node SLURM cluster (Scripts/slurm-one-node: munged, slurmctld and
/// slurmd from Debian, all under a scratch folder): the array's shards equal one process voxel for
/// voxel, `--submit` records the job and `trowel jobs` shows SLURM's states, and requests the
/// partition cannot meet fail at once. In CI a missing SLURM fails the test; elsewhere it is skipped.
@Suite(.serialized) struct SlurmClusterTests {
    static let inCI = ProcessInfo.processInfo.environment["CI"] != nil
    static let hasSlurm = ["sbatch", "squeue", "scontrol", "slurmctld", "slurmd", "munged"].allSatisfy { tool in
        ["/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin"].contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(tool)") }
    }

    /// The cluster of one test: started in `folder`, stopped (by pid files) when the test ends.
    final class Cluster {
        let folder: URL
        var environment: [String: String] { ["SLURM_CONF": folder.appendingPathComponent("slurm.conf").path] }

        init(folder: URL) throws {
            self.folder = folder
            let start = try Self.shell([TrowelBinary.repository.appendingPathComponent("Scripts/slurm-one-node").path,
                                        "start", folder.path, "2", "4000"], environment: [:])
            guard start.status == 0 else { throw Failure(description: "slurm-one-node start: \(start.stderr)") }
        }

        deinit {
            _ = try? Self.shell([TrowelBinary.repository.appendingPathComponent("Scripts/slurm-one-node").path, "stop", folder.path],
                                environment: [:])
        }

        /// Runs a SLURM command against this cluster.
        func run(_ arguments: [String]) throws -> TrowelBinary.Result { try Self.shell(arguments, environment: environment) }

        /// Waits (at most `seconds`) until `squeue` no longer lists job `id`; then SLURM's final
        /// state of each of its records, from `scontrol show job`.
        func waitForJob(_ id: String, seconds: Double = 120) throws -> [String] {
            let deadline = Date().addingTimeInterval(seconds)
            while try !run(["squeue", "-h", "-j", id]).stdout.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                guard Date() < deadline else { throw Failure(description: "job \(id) still queued after \(seconds) s") }
                usleep(200_000)
            }
            let show = try run(["scontrol", "-o", "show", "job", id])
            return show.stdout.split(separator: "\n").compactMap { line in
                line.split(separator: " ").first { $0.hasPrefix("JobState=") }.map { String($0.dropFirst("JobState=".count)) }
            }
        }

        /// Runs `arguments` (through env, on PATH) with `environment` added and waits for it. Spawned
        /// and reaped by hand: Foundation's Process can miss the exit of a script whose daemons it left behind.
        static func shell(_ arguments: [String], environment: [String: String]) throws -> TrowelBinary.Result {
            let out = FileManager.default.temporaryDirectory.appendingPathComponent("trowel-slurm-\(UUID().uuidString)")
            defer {
                try? FileManager.default.removeItem(atPath: out.path + ".out")
                try? FileManager.default.removeItem(atPath: out.path + ".err")
            }
            let env = ProcessInfo.processInfo.environment.merging(environment) { $1 }
            let exit: Int32
            do {
                exit = Spawn.wait(try Spawn.start(["/usr/bin/env"] + arguments, environment: env,
                                                  output: .files(output: out.path + ".out", error: out.path + ".err")))
            } catch {
                throw Failure(description: "cannot run \(arguments.joined(separator: " ")): \(error)")
            }
            return TrowelBinary.Result(status: exit, stdout: (try? String(contentsOfFile: out.path + ".out", encoding: .utf8)) ?? "",
                                       stderr: (try? String(contentsOfFile: out.path + ".err", encoding: .utf8)) ?? "")
        }
    }

    struct Failure: Error, CustomStringConvertible { var description: String }

    @Test(.enabled(if: hasSlurm || inCI, "SLURM (sbatch, slurmctld, slurmd, munged) is not installed: Scripts/install-deps installs slurm-wlm and munge"),
          .enabled(if: getuid() == 0 || inCI, "the one-node SLURM cluster runs its daemons as root"))
    func arrayOnARealClusterEqualsOneProcess() throws {
        try #require(Self.hasSlurm, "SLURM is missing: Scripts/install-deps installs slurm-wlm and munge")
        let f = try SegmentCommandTests.Fixture()
        defer { f.scratch.remove() }
        let reference = try f.reference()
        let cluster = try Cluster(folder: f.scratch("slurm"))
        let env = cluster.environment

        // The script `trowel slurm` writes, submitted by hand: three shards of 16 blocks, one CPU each.
        let write = try TrowelBinary.run(["slurm", f.project.path, "--shards", "3", "--cpus", "1", "--mem", "1G", "--block", "16",
                                          "--time", "10"], environment: env)
        #expect(write.status == 0, "\(write.stderr)")
        let sbatch = try cluster.run(["sbatch", "--parsable", f.project.appendingPathComponent("segment.sbatch").path])
        #expect(sbatch.status == 0, "\(sbatch.stderr)")
        let id = sbatch.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try cluster.waitForJob(id) == ["COMPLETED", "COMPLETED", "COMPLETED"])
        #expect(try f.labels(f.project).elements == reference.elements)

        // --submit: SLURM's own job id, recorded; the tasks find every block done and finish.
        let submit = try TrowelBinary.run(["slurm", f.project.path, "--shards", "3", "--cpus", "1", "--mem", "1G", "--block", "16",
                                           "--submit"], environment: env)
        #expect(submit.status == 0, "\(submit.stderr)")
        let line = try #require(submit.stdout.split(separator: "\n").last.map(String.init))
        let submitted = try #require(line.firstMatch(of: #/^submitted SLURM job (\d+): trowel jobs /#)?.1).description
        #expect(submitted != id)
        let early = try SegmentCommandTests.lines(try TrowelBinary.run(["jobs", f.project.path, "--json"], environment: env).stdout)
        let queued = try #require(early.last)
        #expect(queued["kind"] as? String == "sbatch" && queued["slurm_job"] as? String == submitted && queued["tasks"] as? Int == 3)
        #expect(["pending", "running", "completed"].contains(queued["slurm_state"] as? String), "\(queued)")
        #expect(try cluster.waitForJob(submitted) == ["COMPLETED", "COMPLETED", "COMPLETED"])

        // A task that fails: the nodes run /bin/false instead of trowel.
        let failing = try TrowelBinary.run(["slurm", f.project.path, "--shards", "1", "--cpus", "1", "--mem", "1G", "--submit",
                                            "--trowel", "/bin/false", "-o", f.scratch("false.sbatch").path], environment: env)
        #expect(failing.status == 0, "\(failing.stderr)")
        let failed = try #require(failing.stdout.firstMatch(of: #/submitted SLURM job (\d+)/#)?.1).description
        #expect(try cluster.waitForJob(failed) == ["FAILED"])

        // trowel jobs: six shard rows (two arrays of three), each with its SLURM task and state, then the two submissions.
        let jobs = try SegmentCommandTests.lines(try TrowelBinary.run(["jobs", f.project.path, "--json"], environment: env).stdout)
        let shards = jobs.filter { $0["kind"] as? String == "segment" }
        #expect(shards.count == 6 && shards.allSatisfy { $0["state"] as? String == "finished" && $0["slurm_state"] as? String == "completed" })
        #expect(Set(shards.compactMap { $0["slurm_job"] as? String })
                == Set([id, submitted].flatMap { j in (0..<3).map { "\(j)_\($0)" } }))
        let arrays = jobs.filter { $0["kind"] as? String == "sbatch" }
        #expect(arrays.map { $0["slurm_job"] as? String } == [submitted, failed])
        #expect(arrays.map { $0["slurm_state"] as? String } == ["completed", "failed"])
        #expect(arrays.first?["slurm_tasks"] as? [String: Int] == ["completed": 3])
        let text = try TrowelBinary.run(["jobs", f.project.path], environment: env).stdout
        #expect(text.contains("SLURM \(id)_0 completed") && text.contains("SLURM job \(failed) ") && text.contains("SLURM: failed (1 failed)"),
                "\(text)")

        // More than the partition offers: one line, exit 1, nothing queued or recorded.
        for (options, message) in [(["--cpus", "3"], "--cpus 3: the nodes of partition 'debug' offer at most 2 CPU(s)"),
                                    (["--mem", "64G"], "offer at most 3.9 GB per task"),
                                    (["--partition", "gpu"], "SLURM has no partition 'gpu'")] {
            let r = try TrowelBinary.run(["slurm", f.project.path, "--shards", "2", "--submit", "--mem", "1G", "--cpus", "1"] + options,
                                         environment: env)
            #expect(r.status == 1 && r.stderr.contains(message) && r.stderr.split(separator: "\n").count == 1, "\(options): \(r.stderr)")
        }
        #expect(try cluster.run(["squeue", "-h"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)
        let after = try SegmentCommandTests.lines(try TrowelBinary.run(["jobs", f.project.path, "--json"], environment: env).stdout)
        #expect(after.filter { $0["kind"] as? String == "sbatch" }.count == 2)
    }
}
