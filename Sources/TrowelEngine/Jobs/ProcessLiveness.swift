import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whether the process that recorded a job on this host still runs.
enum ProcessLiveness {
    /// True while `pid` exists and (where the start time can be read, on Linux) started no later
    /// than `date`, so a pid reused by a later process does not keep a dead job alive.
    static func isRunning(pid: Int, startedBy date: Date) -> Bool {
        guard pid > 0, let id = pid_t(exactly: pid) else { return false }
        if kill(id, 0) != 0 && errno == ESRCH { return false }
        if let started = startTime(of: pid), started > date.addingTimeInterval(2) { return false }
        return true
    }

    /// The start time of `pid` from /proc/<pid>/stat (field 22, clock ticks after boot) and the
    /// boot time in /proc/stat; nil where either is unreadable.
    static func startTime(of pid: Int) -> Date? {
        #if os(Linux)
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        // Fields after the command name (which may hold spaces) start at field 3.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 19, let ticks = Double(fields[19]),
              let system = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let line = system.split(separator: "\n").first(where: { $0.hasPrefix("btime ") }),
              let boot = Double(line.dropFirst(6).trimmingCharacters(in: .whitespaces)) else { return nil }
        let hertz = Double(sysconf(Int32(_SC_CLK_TCK)))
        guard hertz > 0 else { return nil }
        return Date(timeIntervalSince1970: boot + ticks / hertz)
        #else
        return nil
        #endif
    }
}
