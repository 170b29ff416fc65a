import TrowelVolume

/// Why submitting to or asking SLURM failed, as one line a user can act on.
public enum SlurmError: Error, Equatable, CustomStringConvertible {
    case commandMissing(String)
    case commandFailed(String, String)
    case unknownPartition(String?)
    case tooManyCPUs(Int, partition: String, available: Int)
    case tooMuchMemory(ByteCount, partition: String, available: ByteCount)
    case noJobID(String)

    public var description: String {
        switch self {
        case .commandMissing(let c):
            return "\(c) not found on PATH: run trowel slurm --submit on a SLURM login node, or submit the script yourself"
        case .commandFailed(let c, let message): return "\(c) failed: \(message)"
        case .unknownPartition(let p):
            return p.map { "SLURM has no partition '\($0)': sinfo lists the partitions" }
                ?? "SLURM has no default partition: give --partition (sinfo lists them)"
        case .tooManyCPUs(let n, let p, let a):
            return "--cpus \(n): the nodes of partition '\(p)' offer at most \(a) CPU(s) per task, so the job would never start; give --cpus \(a) or less"
        case .tooMuchMemory(let m, let p, let a):
            return "--mem \(m): the nodes of partition '\(p)' offer at most \(a) per task, so the job would never start; give --mem \(a.bytes >> 20)M or less"
        case .noJobID(let out): return "sbatch printed no job id ('\(out)')"
        }
    }
}
