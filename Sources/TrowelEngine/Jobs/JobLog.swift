import Foundation
import GRDB

/// One row of the job log.
public struct JobRecord: Sendable, Equatable {
    public enum State: String, Sendable {
        case running, finished, cancelled, failed
        /// Recorded as running, but its process on this host is gone without saying how it ended
        /// (`kill -9`, out of memory, a crash): run the same command again to continue it.
        case interrupted
    }

    public var id: Int
    public var kind: String
    /// What the job works on, e.g. the model id a segmentation is named after.
    public var target: String
    /// `k/N`, or `all`.
    public var shard: String
    public var state: State
    public var blocksDone: Int
    public var blocksTotal: Int
    public var voxels: Int
    public var startedAt: Date
    public var updatedAt: Date
    public var finishedAt: Date?
    public var error: String?
    public var host: String
    public var pid: Int
    /// The SLURM array task the job ran as (`12_3`), nil outside SLURM.
    public var slurmJob: String? = nil

    /// Seconds from start to finish (or to the last update while running).
    public var seconds: Double { (finishedAt ?? updatedAt).timeIntervalSince(startedAt) }
}

/// Background jobs (segmentations) recorded in `project.sqlite` with their state, progress,
/// timings and errors, whoever runs them: the viewer, `trowel segment`, or a cluster shard.
public struct JobLog: Sendable {
    public let project: Project

    public init(project: Project) {
        self.project = project
    }

    /// Records a job that starts now, with the SLURM task it runs as (if any); returns its id.
    public func start(kind: String, target: String, shard: String, blocksTotal: Int, blocksDone: Int = 0,
                      slurmJob: String? = SlurmCluster.currentTask()) throws -> Int {
        try project.database.write { db in
            let now = Date()
            try db.execute(sql: """
                INSERT INTO job (kind, target, shard, state, blocks_done, blocks_total, started_at, updated_at, host, pid, slurm_job)
                VALUES (?, ?, ?, 'running', ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [kind, target, shard, blocksDone, blocksTotal, now, now, ProcessInfo.processInfo.hostName,
                                 Int(getpid()), slurmJob])
            return Int(db.lastInsertedRowID)
        }
    }

    /// Records progress of a running job.
    public func update(_ id: Int, blocksDone: Int, voxels: Int) throws {
        try project.database.write { db in
            try db.execute(sql: "UPDATE job SET blocks_done = ?, voxels = ?, updated_at = ? WHERE id = ?",
                           arguments: [blocksDone, voxels, Date(), id])
        }
    }

    /// Records how a job ended.
    public func finish(_ id: Int, state: JobRecord.State, blocksDone: Int, voxels: Int, error: String? = nil) throws {
        try project.database.write { db in
            let now = Date()
            try db.execute(sql: """
                UPDATE job SET state = ?, blocks_done = ?, voxels = ?, updated_at = ?, finished_at = ?, error = ? WHERE id = ?
                """, arguments: [state.rawValue, blocksDone, voxels, now, now, error, id])
        }
    }

    /// Every job, oldest first. A job recorded as running on this host whose process has ended
    /// (or whose pid now belongs to a later process) is reported as `interrupted`; jobs running on
    /// other hosts (cluster shards) cannot be checked and keep their recorded state.
    public func all() throws -> [JobRecord] {
        let here = ProcessInfo.processInfo.hostName
        return try project.database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM job ORDER BY id").map { r in
                var job = JobRecord(id: r["id"], kind: r["kind"], target: r["target"], shard: r["shard"],
                                    state: JobRecord.State(rawValue: r["state"]) ?? .failed, blocksDone: r["blocks_done"],
                                    blocksTotal: r["blocks_total"], voxels: r["voxels"], startedAt: r["started_at"],
                                    updatedAt: r["updated_at"], finishedAt: r["finished_at"], error: r["error"],
                                    host: r["host"], pid: r["pid"], slurmJob: r["slurm_job"])
                if job.state == .running && job.host == here
                    && !ProcessLiveness.isRunning(pid: job.pid, startedBy: job.startedAt) {
                    job.state = .interrupted
                }
                return job
            }
        }
    }
}
