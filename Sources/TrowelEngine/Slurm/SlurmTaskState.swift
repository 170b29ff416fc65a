/// One record of `scontrol -o show job ID`: a job, an array task (`12_3`) or a block of array tasks
/// not yet started (`12_[0-7]`), and its state.
public struct SlurmTaskState: Sendable, Equatable {
    /// SLURM's name for the record: `12`, `12_3` or `12_[0-7]`.
    public var id: String
    public var state: SlurmState

    public init(id: String, state: SlurmState) {
        self.id = id
        self.state = state
    }

    /// How many array tasks the record stands for: 1, or the size of `[0-7]`, `[1,3-5]`, `[0-9%2]`.
    public var taskCount: Int {
        guard let open = id.firstIndex(of: "["), let close = id.lastIndex(of: "]"), open < close else { return 1 }
        let list = id[id.index(after: open)..<close].prefix { $0 != "%" }
        return list.split(separator: ",").reduce(0) { total, item in
            let ends = item.split(separator: "-").compactMap { Int($0) }
            return total + (ends.count == 2 ? max(0, ends[1] - ends[0] + 1) : 1)
        }
    }

    /// The records in `scontrol -o show job` output, one per line (`JobId=… ArrayJobId=…
    /// ArrayTaskId=… JobState=…`); lines without a JobState are skipped.
    public static func parse(scontrol text: String) -> [SlurmTaskState] {
        text.split(separator: "\n").compactMap { line in
            var fields: [Substring: Substring] = [:]
            for word in line.split(separator: " ") {
                guard let eq = word.firstIndex(of: "=") else { continue }
                fields[word[..<eq]] = fields[word[..<eq]] ?? word[word.index(after: eq)...]
            }
            guard let state = fields["JobState"], let job = fields["JobId"] else { return nil }
            var id = String(job)
            if let array = fields["ArrayJobId"], let task = fields["ArrayTaskId"] {
                let tasks = task.hasPrefix("[") ? task.dropFirst().dropLast() : task
                id = tasks.allSatisfy(\.isNumber) ? "\(array)_\(tasks)" : "\(array)_[\(tasks)]"
            }
            return SlurmTaskState(id: id, state: SlurmState(slurm: String(state)))
        }
    }
}
