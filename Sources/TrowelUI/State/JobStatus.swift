/// A background job of this session (a whole-volume segmentation or a label interpolation) as the
/// queue panel shows it.
public struct JobStatus: Equatable, Sendable {
    public enum State: Equatable, Sendable {
        case running, finished, cancelled
        case failed(String)
    }

    public enum Kind: Equatable, Sendable {
        /// Blocks of a whole-volume segmentation, with a rate and an ETA; resumable.
        case segmentation
        /// Phases of a label interpolation (`done`/`total` count its steps); not resumable.
        case interpolation
    }

    /// Positive for this session's jobs; another session's job (shown by `S`) has minus its job-log id.
    public var id: Int
    /// Whether this session runs it (and may stop it).
    public var isOwn: Bool { id > 0 }
    public var title: String
    public var done: Int
    public var total: Int
    /// Voxels per second in this run.
    public var rate: Double
    public var secondsRemaining: Double?
    public var state: State
    public var kind: Kind
    /// What a job without a rate is doing now (an interpolation's phase).
    public var phase: String?

    public init(id: Int, title: String, done: Int, total: Int, rate: Double, secondsRemaining: Double?, state: State,
                kind: Kind = .segmentation, phase: String? = nil) {
        self.kind = kind
        self.phase = phase
        self.id = id
        self.title = title
        self.done = done
        self.total = total
        self.rate = rate
        self.secondsRemaining = secondsRemaining
        self.state = state
    }

    public var isRunning: Bool { state == .running }

    /// `segmenting 12/48 ████░░░░ 1.8 Mvox/s ETA 0:31`, `width` cells of bar.
    public func line(barWidth: Int) -> String {
        let fraction = total > 0 ? Double(done) / Double(total) : 1
        let filled = Int(fraction * Double(barWidth))
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: max(0, barWidth - filled))
        let status: String
        switch state {
        case .running where kind == .interpolation:
            status = phase ?? "starting"
        case .running:
            let eta = secondsRemaining.map { s in "ETA \(Int(s) / 60):" + String(format: "%02d", Int(s) % 60) } ?? "ETA …"
            status = String(format: "%.1f Mvox/s %@", rate / 1e6, eta)
        case .finished: status = "done"
        case .cancelled: status = kind == .interpolation ? "stopped" : "stopped (run again to continue)"
        case .failed(let why): status = "failed: \(why)"
        }
        return "\(title) \(done)/\(total) \(bar) \(status)"
    }
}
