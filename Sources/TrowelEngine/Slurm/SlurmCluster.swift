import Foundation
import TrowelVolume

/// The SLURM commands on this machine's PATH (`sbatch`, `scontrol`, `sinfo`), run as a user would:
/// submit a script, ask what a partition offers, ask where a job is.
public struct SlurmCluster: Sendable {
    /// The folders searched for the commands.
    public var path: [String]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        path = (environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":").map(String.init)
    }

    /// The full path of `command`, or nil when it is not on PATH.
    public func locate(_ command: String) -> String? {
        path.map { ($0 as NSString).appendingPathComponent(command) }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// True when `scontrol` is here to ask for job states.
    public var canQuery: Bool { locate("scontrol") != nil }

    /// The partition `name` (nil: the default) as `sinfo` and `scontrol show partition` describe it.
    public func partition(_ name: String?) throws(SlurmError) -> SlurmPartition {
        let sinfo = try run("sinfo", ["-h", "-o", "%P|%c|%m"] + (name.map { ["-p", $0] } ?? []))
        guard var found = SlurmPartition.parse(sinfo: sinfo, name: name) else { throw .unknownPartition(name) }
        if let line = try? run("scontrol", ["-o", "show", "partition", found.name]) {
            found = SlurmPartition.parse(sinfo: sinfo, scontrol: line, name: found.name) ?? found
        }
        return found
    }

    /// Submits `script` with `sbatch --parsable` from `directory`; returns the job id it prints.
    public func submit(_ script: URL, from directory: URL) throws(SlurmError) -> String {
        let out = try run("sbatch", ["--parsable", script.path], in: directory)
        let id = out.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ";").first.map(String.init) ?? ""
        guard !id.isEmpty, id.allSatisfy(\.isNumber) else { throw .noJobID(out.trimmingCharacters(in: .whitespacesAndNewlines)) }
        return id
    }

    /// Every record SLURM keeps for job `id` (its array tasks each), or `[]` once SLURM has
    /// forgotten it (`Invalid job id`, MinJobAge after it ended).
    public func states(of id: String) throws(SlurmError) -> [SlurmTaskState] {
        do {
            return SlurmTaskState.parse(scontrol: try run("scontrol", ["-o", "show", "job", id]))
        } catch .commandFailed(_, let message) where message.localizedCaseInsensitiveContains("invalid job id") {
            return []
        }
    }

    /// The array task this process runs as (`12_3`, or the job id outside an array), from the
    /// variables SLURM sets; nil outside SLURM.
    public static func currentTask(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let job = environment["SLURM_ARRAY_JOB_ID"], let task = environment["SLURM_ARRAY_TASK_ID"] { return "\(job)_\(task)" }
        return environment["SLURM_JOB_ID"]
    }

    /// Runs `command arguments…`; its standard output, or its first error line as the error.
    func run(_ command: String, _ arguments: [String], in directory: URL? = nil) throws(SlurmError) -> String {
        guard let executable = locate(command) else { throw .commandMissing(command) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { throw .commandFailed(command, error.localizedDescription) }
        // SLURM's replies are small, but read the error pipe on its own thread so neither can fill up.
        let errors = ErrorText()
        let reader = Thread { errors.set(err.fileHandleForReading.readDataToEndOfFile()) }
        reader.start()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !reader.isFinished { usleep(1000) }
        guard process.terminationStatus == 0 else {
            let text = String(decoding: errors.get(), as: UTF8.self)
            let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            // sbatch gives the detail, then "Batch job submission failed: …": keep both on one line.
            let errorLines = lines.filter { $0.contains("error") }.map { $0.replacingOccurrences(of: "\(command): ", with: "") }
            throw .commandFailed(command, (errorLines.isEmpty ? lines : errorLines).joined(separator: "; ").nonEmpty
                                 ?? "exit status \(process.terminationStatus)")
        }
        return String(decoding: output, as: UTF8.self)
    }
}

extension String {
    fileprivate var nonEmpty: String? { isEmpty ? nil : self }
}

/// The error output a reader thread hands back.
private final class ErrorText: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func set(_ d: Data) { lock.withLock { data = d } }
    func get() -> Data { lock.withLock { data } }
}
