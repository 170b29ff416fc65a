import TrowelVolume

/// What one task can get from a SLURM partition: the CPUs and memory of its biggest node, capped
/// by the partition's MaxCPUsPerNode and MaxMemPerNode. A request above either would queue forever.
public struct SlurmPartition: Sendable, Equatable {
    public var name: String
    public var cpusPerNode: Int
    public var memoryPerNode: ByteCount

    public init(name: String, cpusPerNode: Int, memoryPerNode: ByteCount) {
        self.name = name
        self.cpusPerNode = cpusPerNode
        self.memoryPerNode = memoryPerNode
    }

    /// The partition `name` (nil: the default one, marked `*`) from `sinfo -h -o "%P|%c|%m"` lines
    /// (one per group of like nodes; `%m` in MB, `+` when nodes differ) and, when given, the
    /// partition's `scontrol -o show partition NAME` line; nil when sinfo does not list it.
    public static func parse(sinfo: String, scontrol: String? = nil, name: String?) -> SlurmPartition? {
        var found: SlurmPartition?
        for line in sinfo.split(separator: "\n") {
            let parts = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 3 else { continue }
            let isDefault = parts[0].hasSuffix("*")
            let partition = isDefault ? String(parts[0].dropLast()) : parts[0]
            guard name.map({ $0 == partition }) ?? isDefault,
                  let cpus = Int(parts[1].filter(\.isNumber)), let megabytes = Int(parts[2].filter(\.isNumber)) else { continue }
            let memory = ByteCount(megabytes << 20)
            if var f = found {
                f.cpusPerNode = max(f.cpusPerNode, cpus)
                f.memoryPerNode = max(f.memoryPerNode, memory)
                found = f
            } else {
                found = SlurmPartition(name: partition, cpusPerNode: cpus, memoryPerNode: memory)
            }
        }
        guard var partition = found else { return nil }
        for word in (scontrol ?? "").split(whereSeparator: \.isWhitespace) {
            if word.hasPrefix("MaxCPUsPerNode="), let n = Int(word.dropFirst("MaxCPUsPerNode=".count)) {
                partition.cpusPerNode = min(partition.cpusPerNode, n)
            }
            if word.hasPrefix("MaxMemPerNode="), let mb = Int(word.dropFirst("MaxMemPerNode=".count)) {
                partition.memoryPerNode = min(partition.memoryPerNode, ByteCount(mb << 20))
            }
        }
        return partition
    }

    /// Throws unless one task of `cpus` CPUs and `memory` fits on a node of this partition.
    public func check(cpus: Int, memory: ByteCount) throws(SlurmError) {
        if cpus > cpusPerNode { throw .tooManyCPUs(cpus, partition: name, available: cpusPerNode) }
        if memory > memoryPerNode { throw .tooMuchMemory(memory, partition: name, available: memoryPerNode) }
    }
}
