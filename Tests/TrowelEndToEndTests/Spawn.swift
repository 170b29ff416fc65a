import Foundation

/// Starts programs found on PATH with posix_spawn and reaps them with waitpid. (Foundation's
/// Process never sees `tmux new-session -d` exit on Linux, misses the exit of a script whose
/// daemons it left behind, and then stops noticing other children too.)
enum Spawn {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Where a child's standard output and error go (its input is always /dev/null).
    enum Output {
        case discarded
        /// Both into the write end of a pipe, whose read end the child closes.
        case pipe(read: Int32, write: Int32)
        /// Output and error into these files, created or truncated.
        case files(output: String, error: String)
    }

    /// Starts `arguments` with the environment `environment` (this process's when nil), a clean
    /// signal mask and default dispositions (test threads run with signals blocked), and returns its pid.
    static func start(_ arguments: [String], environment: [String: String]? = nil, output: Output) throws -> pid_t {
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { env in env.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer {
            argv.forEach { free($0) }
            envp?.forEach { free($0) }
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        switch output {
        case .discarded:
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        case .pipe(let read, let write):
            posix_spawn_file_actions_adddup2(&actions, write, 1)
            posix_spawn_file_actions_adddup2(&actions, write, 2)
            posix_spawn_file_actions_addclose(&actions, read)
        case .files(let out, let err):
            posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            posix_spawn_file_actions_addopen(&actions, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t(), all = sigset_t()
        sigemptyset(&empty)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid = pid_t()
        let spawned = envp.map { posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, $0) }
            ?? posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, environ)
        guard spawned == 0 else {
            throw Failure(description: "cannot run \(arguments[0]): \(String(cString: strerror(spawned)))")
        }
        return pid
    }

    /// Waits for `pid` and returns its exit status (128 + the signal if a signal ended it).
    static func wait(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    }

    /// Exit status and, when `capture`, everything the program wrote to stdout and stderr.
    static func run(_ arguments: [String], capture: Bool = true) throws -> (status: Int32, output: String) {
        guard capture else { return (wait(try start(arguments, output: .discarded)), "") }
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw Failure(description: "pipe failed") }
        let pid: pid_t
        do {
            pid = try start(arguments, output: .pipe(read: fds[0], write: fds[1]))
        } catch {
            close(fds[0])
            close(fds[1])
            throw error
        }
        close(fds[1])
        var output = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(fds[0], &buffer, buffer.count)
            if n <= 0 { break }
            output.append(contentsOf: buffer[0..<n])
        }
        close(fds[0])
        return (wait(pid), String(decoding: output, as: UTF8.self))
    }
}
