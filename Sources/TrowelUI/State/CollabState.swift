import TrowelEngine

/// The other sessions painting this project, as this viewer sees them: per-author voxel counts for
/// the side panel, and the poll of the stroke log (every `pollTicks` ticks, one at a time) that
/// brings in their strokes, models and jobs. Its own state and update function, apart from `App.update`.
public struct CollabState: Equatable, Sendable {
    /// What one poll found.
    public struct Snapshot: Equatable, Sendable {
        /// This session's author.
        public var me: String
        /// Labelled voxels by who painted them last.
        public var countsByAuthor: [String: Int]
        /// Edits by other sessions taken in by this poll, and the newest one's author.
        public var othersEdits: Int
        public var lastOther: String?

        public init(me: String, countsByAuthor: [String: Int], othersEdits: Int = 0, lastOther: String? = nil) {
            self.me = me
            self.countsByAuthor = countsByAuthor
            self.othersEdits = othersEdits
            self.lastOther = lastOther
        }
    }

    /// What happens to it: the driver's answers.
    public enum Event: Sendable, Equatable {
        case polled(Snapshot)
        /// `S` found the model already being segmented by another session: its job, and who runs it.
        case foreignJob(JobStatus, holder: String)
    }

    /// Ticks between polls: 0.5 s with the run loop's 250 ms tick.
    public static let pollTicks = 2

    /// This session's author, as the log names it.
    public var me = ""
    public var countsByAuthor: [String: Int] = [:]
    /// Who else has painted since this session opened.
    public var othersSeen: Set<String> = []
    var countdown = 0
    /// A poll is out and not answered yet.
    var polling = false

    public init(me: String = "") {
        self.me = me
    }

    /// Called every tick: the poll effect when one is due.
    mutating func tick() -> Effect? {
        guard !polling else { return nil }
        countdown -= 1
        guard countdown <= 0 else { return nil }
        countdown = Self.pollTicks
        polling = true
        return .pollCollaborators
    }

    /// Applies a driver answer; returns what to say (if anything).
    mutating func update(_ event: Event) -> String? {
        switch event {
        case .polled(let snapshot):
            polling = false
            me = snapshot.me
            countsByAuthor = snapshot.countsByAuthor
            guard let other = snapshot.lastOther, snapshot.othersEdits > 0, !othersSeen.contains(other) else { return nil }
            othersSeen.insert(other)
            return "\(other) is painting this project too: their strokes show as they land"
        case .foreignJob(let job, let holder):
            return "\(job.title): already running in \(holder)'s session; g shows it"
        }
    }

    /// Panel lines: each author with their voxels, this session's first; empty while only this
    /// session has painted.
    var lines: [(author: String, voxels: Int, isMe: Bool)] {
        guard countsByAuthor.keys.contains(where: { $0 != me }) else { return [] }
        return countsByAuthor.sorted { ($0.key == me ? 0 : 1, -$0.value, $0.key) < ($1.key == me ? 0 : 1, -$1.value, $1.key) }
            .map { ($0.key, $0.value, $0.key == me) }
    }
}
