import Foundation

/// Runs another program and reports its wall time and its own peak memory (from wait4's rusage),
/// so a benchmark can measure `trowel convert` exactly as a user runs it.
struct ChildProcess {
    struct Outcome {
        var status: Int32
        var seconds: Double
        var peakResidentMegabytes: Double
    }

    static func run(_ executable: String, _ arguments: [String]) throws -> Outcome {
        var pid = pid_t()
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        let start = DispatchTime.now().uptimeNanoseconds
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard spawned == 0 else { throw BenchError("\(executable): cannot start (\(String(cString: strerror(spawned))))") }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let exitCode = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        return Outcome(status: exitCode, seconds: seconds, peakResidentMegabytes: Double(usage.ru_maxrss) / 1024)
    }
}
