/// Where SLURM says a job or array task is, in the words `trowel jobs` shows: SLURM's many states
/// (`COMPLETING`, `OUT_OF_MEMORY`, `TIMEOUT`…) folded into the few a user acts on.
public enum SlurmState: String, Sendable, Codable, CaseIterable {
    case pending, running, completed, failed, cancelled
    /// SLURM no longer knows the job (purged after MinJobAge) or named a state Trowel does not know.
    case unknown

    /// The state for SLURM's `JobState=` word, e.g. `PENDING` or `CANCELLED+`.
    public init(slurm word: String) {
        let base = word.uppercased().prefix { $0.isLetter || $0 == "_" }
        switch base {
        case "PENDING", "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED", "RESV_DEL_HOLD", "SUSPENDED", "STOPPED":
            self = .pending
        case "RUNNING", "CONFIGURING", "COMPLETING", "RESIZING", "SIGNALING", "STAGE_OUT":
            self = .running
        case "COMPLETED": self = .completed
        case "FAILED", "TIMEOUT", "OUT_OF_MEMORY", "NODE_FAIL", "BOOT_FAIL", "DEADLINE", "PREEMPTED", "SPECIAL_EXIT":
            self = .failed
        case "CANCELLED", "REVOKED": self = .cancelled
        default: self = .unknown
        }
    }

    /// One state for a whole array: running while any task runs, then pending, then the worst ending.
    public static func summary(of states: [SlurmState]) -> SlurmState {
        guard !states.isEmpty else { return .unknown }
        for s in [SlurmState.running, .pending, .failed, .cancelled, .unknown] where states.contains(s) { return s }
        return .completed
    }
}
