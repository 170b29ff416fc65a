import ArgumentParser
import Foundation
import TrowelEngine

struct JobsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs",
        abstract: "List the project's background jobs: state, progress, timings and errors.",
        discussion: """
            Every segmentation is recorded, whether it ran in the viewer, from trowel segment or as a \
            cluster shard. 'interrupted' means the job's process on this machine ended without recording \
            how (kill -9, out of memory, a crash): run the same trowel segment command to continue it. \
            Jobs of other machines (cluster shards) show the state they last recorded. A job run as a \
            SLURM task, and each array 'trowel slurm --submit' queued, also shows SLURM's state \
            (pending, running, completed, failed, cancelled; unknown once SLURM has forgotten the job) \
            when scontrol is on PATH.
            """
    )

    @Argument(help: "The project folder.")
    var project: String

    @Flag(help: "Print one JSON object per job, one per line.")
    var json = false

    /// One job in `--json` output.
    struct JobLine: Encodable {
        var id: Int
        var kind: String
        var target: String
        var shard: String
        var state: String
        var blocksDone: Int
        var blocksTotal: Int
        var voxels: Int
        var startedAt: Date
        var seconds: Double
        var host: String
        var pid: Int
        @NullWhenAbsent var error: String?
        @NullWhenAbsent var slurmJob: String?
        @NullWhenAbsent var slurmState: SlurmState?

        enum CodingKeys: String, CodingKey {
            case id, kind, target, shard, state, voxels, seconds, host, pid, error
            case blocksDone = "blocks_done", blocksTotal = "blocks_total", startedAt = "started_at"
            case slurmJob = "slurm_job", slurmState = "slurm_state"
        }
    }

    /// One array `trowel slurm --submit` queued, in `--json` output (kind `sbatch`).
    struct SubmissionLine: Encodable {
        var kind = "sbatch"
        var id: Int
        var slurmJob: String
        var target: String
        var tasks: Int
        var script: String
        var submittedAt: Date
        @NullWhenAbsent var slurmState: SlurmState?
        /// How many of the tasks SLURM has in each state.
        var slurmTasks: [String: Int]

        enum CodingKeys: String, CodingKey {
            case kind, id, target, tasks, script
            case slurmJob = "slurm_job", submittedAt = "submitted_at", slurmState = "slurm_state", slurmTasks = "slurm_tasks"
        }
    }

    func run() throws {
        try reportingErrors {
            let log = JobLog(project: try Project.open(at: URL(fileURLWithPath: project)))
            let jobs = try log.all()
            let submissions = try log.submissions()
            if jobs.isEmpty && submissions.isEmpty && !json { print("no jobs yet: trowel segment (or S in the viewer) starts one") }
            let slurm = SlurmStates()
            for j in jobs {
                let slurmState = j.slurmJob.flatMap { slurm.state(of: $0) }
                if json {
                    print(try JSONOutput.text(JobLine(id: j.id, kind: j.kind, target: j.target, shard: j.shard, state: j.state.rawValue,
                                                      blocksDone: j.blocksDone, blocksTotal: j.blocksTotal, voxels: j.voxels,
                                                      startedAt: j.startedAt, seconds: j.seconds, host: j.host, pid: j.pid,
                                                      error: j.error, slurmJob: j.slurmJob, slurmState: slurmState)))
                } else {
                    let slurmText = j.slurmJob.map { "  SLURM \($0) \(slurmState?.rawValue ?? "state unknown (no scontrol)")" } ?? ""
                    print(String(format: "%3d  %@ %@  shard %@  %@  %d/%d blocks  %.1f s  %@ pid %d%@%@", j.id, j.kind, j.target, j.shard,
                                 j.state.rawValue, j.blocksDone, j.blocksTotal, j.seconds, j.host, j.pid, slurmText,
                                 j.error.map { "  error: \($0)" } ?? ""))
                }
            }
            let iso = ISO8601DateFormatter()
            for s in submissions {
                let tasks = slurm.tasks(of: s.slurmJob)
                var counts: [String: Int] = [:]
                for t in tasks ?? [] { counts[t.state.rawValue, default: 0] += t.taskCount }
                let summary = tasks.map { SlurmState.summary(of: $0.map(\.state)) }
                if json {
                    print(try JSONOutput.text(SubmissionLine(id: s.id, slurmJob: s.slurmJob, target: s.target, tasks: s.tasks,
                                                             script: s.script, submittedAt: s.submittedAt, slurmState: summary,
                                                             slurmTasks: counts)))
                } else {
                    let detail = counts.isEmpty ? "" : " (" + counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ") + ")"
                    print("SLURM job \(s.slurmJob)  segment \(s.target)  \(s.tasks) task(s)  submitted \(iso.string(from: s.submittedAt))  "
                          + (summary.map { "SLURM: \($0.rawValue)\(detail)" } ?? "SLURM state unknown (no scontrol)"))
                }
            }
        }
    }
}
