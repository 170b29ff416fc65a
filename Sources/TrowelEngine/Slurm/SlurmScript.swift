import Foundation
import TrowelVolume

/// An sbatch array script that segments a project on a SLURM cluster: task k of N runs
/// `trowel segment --shard k/N`; the last shard to finish builds the pyramid.
public struct SlurmScript: Sendable, Equatable {
    /// The trowel executable the nodes run (an absolute path on the shared filesystem).
    public var trowel: String
    /// The project folder (absolute).
    public var project: String
    /// The model id to segment with.
    public var model: String
    /// Array tasks, one shard each.
    public var shards: Int
    /// SLURM wall time per task, e.g. 02:00:00 or 1-12:00:00.
    public var time = "02:00:00"
    /// SLURM memory per task; `trowel segment` gets `segmentMemory`, a little less.
    public var memory = ByteCount(8 << 30)
    /// CPUs per task, also the segment's `--workers`.
    public var cpus = 4
    /// SLURM partition; nil leaves the cluster's default.
    public var partition: String?
    /// The segment's `--block` (compute block side); nil leaves `trowel segment`'s default.
    public var blockSide: Int?

    public init(trowel: String, project: String, model: String, shards: Int) {
        self.trowel = trowel
        self.project = project
        self.model = model
        self.shards = shards
    }

    /// The smallest `memory` accepted: room for the process itself and one slab.
    public static let minimumMemory = ByteCount(512 << 20)

    /// Throws unless every setting is one SLURM and `trowel segment` accept.
    public func validate() throws(SlurmScriptError) {
        guard shards >= 1 else { throw .badShards(shards) }
        guard cpus >= 1 else { throw .badCPUs(cpus) }
        if let blockSide, blockSide < 1 { throw .badBlock(blockSide) }
        guard memory >= Self.minimumMemory else { throw .memoryTooSmall(memory.description) }
        guard time.wholeMatch(of: /(\d+-)?\d+(:\d{1,2}){0,2}/) != nil else { throw .badTime(time) }
        if let partition, partition.isEmpty || partition.contains(where: { $0.isWhitespace }) {
            throw .badPartition(partition)
        }
    }

    /// The `--memory` given to `trowel segment`: the SLURM limit less a tenth (at least 256 MiB),
    /// leaving room for the runtime and the page cache SLURM also counts.
    public var segmentMemory: ByteCount {
        ByteCount(memory.bytes - max(memory.bytes / 10, 256 << 20))
    }

    /// Where SLURM writes each task's output.
    public var logFolder: String { (project as NSString).appendingPathComponent("logs") }

    /// The job name: trowel- and the project's name without its extension.
    public var jobName: String {
        let name = ((project as NSString).lastPathComponent as NSString).deletingPathExtension
        let safe = String(name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" })
        return "trowel-\(safe.isEmpty ? "segment" : safe)"
    }

    /// The script text.
    public var text: String {
        var lines = [
            "#!/bin/bash",
            "#SBATCH --job-name=\(jobName)",
            "#SBATCH --array=0-\(shards - 1)",
            "#SBATCH --time=\(time)",
            "#SBATCH --mem=\(memory.bytes >> 20)M",
            "#SBATCH --cpus-per-task=\(cpus)",
        ]
        if let partition { lines.append("#SBATCH --partition=\(partition)") }
        lines += [
            "#SBATCH --output=\((logFolder as NSString).appendingPathComponent("segment-%A_%a.log"))",
            "#",
            "# Written by 'trowel slurm'. Task k of \(shards) segments every \(shards == 1 ? "" : "\(shards)-th ")block starting at k;",
            "# finished blocks are recorded, so resubmitting continues where a task stopped.",
            "set -euo pipefail",
            "exec \(Self.quoted(trowel)) segment \(Self.quoted(project)) --model \(Self.quoted(model)) "
                + "--shard \"${SLURM_ARRAY_TASK_ID}/\(shards)\" --workers \(cpus) --memory \(segmentMemory.bytes >> 20)M"
                + (blockSide.map { " --block \($0)" } ?? "") + " --json",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    /// `text` as a single shell word: unchanged when it needs no quoting, else single-quoted.
    static func quoted(_ text: String) -> String {
        let plain = !text.isEmpty && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "_./:@%+=,-".contains($0)) }
        return plain ? text : "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

/// Why a SLURM script cannot be written, as one actionable line.
public enum SlurmScriptError: Error, Equatable, CustomStringConvertible {
    case badShards(Int)
    case badCPUs(Int)
    case memoryTooSmall(String)
    case badTime(String)
    case badPartition(String)
    case badBlock(Int)

    public var description: String {
        switch self {
        case .badShards(let n): return "--shards \(n): give at least 1 (one array task per shard)"
        case .badCPUs(let n): return "--cpus \(n): give at least 1"
        case .memoryTooSmall(let m): return "--mem \(m): give at least \(SlurmScript.minimumMemory) per task, e.g. 8G"
        case .badTime(let t): return "--time \(t): give a SLURM time such as 02:00:00, 90 or 1-12:00:00"
        case .badPartition(let p): return "--partition '\(p)': give a partition name without spaces"
        case .badBlock(let n): return "--block \(n): give a block side of at least 1 voxel (or leave trowel segment's default)"
        }
    }
}
