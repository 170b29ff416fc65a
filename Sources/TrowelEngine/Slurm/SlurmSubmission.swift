import Foundation
import GRDB

/// A SLURM array `trowel slurm --submit` queued: its job id, the model it segments with, how many
/// tasks and which script, so `trowel jobs` can ask SLURM about it before any task has started.
public struct SlurmSubmission: Sendable, Equatable {
    public var id: Int
    /// SLURM's job id, as `sbatch --parsable` printed it.
    public var slurmJob: String
    /// The model id the tasks segment with.
    public var target: String
    public var tasks: Int
    /// The sbatch script submitted.
    public var script: String
    public var submittedAt: Date
}

extension JobLog {
    /// Records that SLURM job `slurmJob` was queued now to run `script` as `tasks` tasks; returns the record.
    public func recordSubmission(slurmJob: String, target: String, tasks: Int, script: String) throws -> SlurmSubmission {
        try project.database.write { db in
            let now = Date()
            try db.execute(sql: "INSERT INTO slurm_submission (slurm_job, target, tasks, script, submitted_at) VALUES (?, ?, ?, ?, ?)",
                           arguments: [slurmJob, target, tasks, script, now])
            return SlurmSubmission(id: Int(db.lastInsertedRowID), slurmJob: slurmJob, target: target, tasks: tasks,
                                   script: script, submittedAt: now)
        }
    }

    /// Every submission, oldest first.
    public func submissions() throws -> [SlurmSubmission] {
        try project.database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM slurm_submission ORDER BY id").map { r in
                SlurmSubmission(id: r["id"], slurmJob: r["slurm_job"], target: r["target"], tasks: r["tasks"],
                                script: r["script"], submittedAt: r["submitted_at"])
            }
        }
    }
}
