import TrowelEngine

/// SLURM's states of the jobs `trowel jobs` lists, asked once per array job; nil throughout when
/// `scontrol` is not on PATH or does not answer (no cluster reachable).
final class SlurmStates {
    private let cluster = SlurmCluster()
    private var asked: [String: [SlurmTaskState]?] = [:]

    /// Every record of array job `id` (`12`), or nil when SLURM cannot be asked.
    func tasks(of id: String) -> [SlurmTaskState]? {
        if let known = asked[id] { return known }
        let answer: [SlurmTaskState]? = cluster.canQuery ? try? cluster.states(of: id) : nil
        asked[id] = answer
        return answer
    }

    /// The state of task `task` (`12_3`, or a plain job id): `unknown` once SLURM has forgotten it.
    func state(of task: String) -> SlurmState? {
        let job = String(task.prefix { $0 != "_" })
        guard let records = tasks(of: job) else { return nil }
        return records.first { $0.id == task }?.state ?? .unknown
    }
}
