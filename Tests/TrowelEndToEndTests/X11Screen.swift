import Foundation
import TrowelVolume

/// A virtual X display (Xvfb) of its own, the terminals started on it, and screenshots of it
/// (`import -window root`): how the end-to-end tests see what kitty and xterm really draw.
final class X11Screen {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let display: String
    private var children: [pid_t] = []

    /// The programs the graphics tests need (Scripts/install-deps installs them).
    static let tools = ["Xvfb", "kitty", "xterm", "import"]

    static func missingTools() -> [String] {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        return tools.filter { tool in !path.contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(tool)") } }
    }

    /// Starts Xvfb on a free display, `width` × `height` × 24 bits.
    init(width: Int, height: Int) throws {
        var number = 0
        for candidate in (0..<50).map({ _ in Int.random(in: 150..<900) }) where !FileManager.default.fileExists(atPath: "/tmp/.X\(candidate)-lock") {
            number = candidate
            break
        }
        display = ":\(number)"
        try launch(["Xvfb", display, "-screen", "0", "\(width)x\(height)x24", "-nolisten", "tcp"], environment: [:])
        let socket = "/tmp/.X11-unix/X\(number)"
        let deadline = Date().addingTimeInterval(10)
        while !FileManager.default.fileExists(atPath: socket) {
            guard Date() < deadline else { throw Failure(description: "Xvfb \(display) did not start") }
            usleep(50_000)
        }
    }

    deinit { stop() }

    /// Starts `arguments` on this display with `environment` added; it is stopped with the display.
    func launch(_ arguments: [String], environment: [String: String]) throws {
        var env = ProcessInfo.processInfo.environment
        env["DISPLAY"] = display
        env["TMUX"] = nil
        for (k, v) in environment { env[k] = v }
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
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
        guard posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, envp) == 0 else {
            throw Failure(description: "cannot start \(arguments[0]) (Scripts/install-deps installs it)")
        }
        children.append(pid)
    }

    /// The whole screen as RGB.
    func screenshot(to file: URL) throws -> (width: Int, height: Int, rgb: [UInt8]) {
        try? FileManager.default.removeItem(at: file)
        let (status, output) = try Spawn.run(["env", "DISPLAY=\(display)", "import", "-window", "root", file.path])
        guard status == 0 else { throw Failure(description: "import failed: \(output)") }
        return try PNGImageCodec.decodeRGB(Array(try Data(contentsOf: file)))
    }

    /// Stops the programs started on the display, newest first, then Xvfb.
    func stop() {
        for pid in children.reversed() {
            kill(pid, SIGTERM)
            var status: Int32 = 0
            let deadline = Date().addingTimeInterval(1)
            while waitpid(pid, &status, WNOHANG) == 0 {
                if Date() > deadline {
                    kill(pid, SIGKILL)
                    waitpid(pid, &status, 0)
                    break
                }
                usleep(20_000)
            }
        }
        children = []
    }
}
