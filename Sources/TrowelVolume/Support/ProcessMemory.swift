import Foundation

/// This process's memory, as the kernel counts it.
public enum ProcessMemory {
    /// Peak resident set size so far (VmHWM in /proc/self/status), in bytes; 0 where unknown.
    public static var peakResidentBytes: Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kb = line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { Int($0) }
            return (kb ?? 0) * 1024
        }
        return 0
    }
}
