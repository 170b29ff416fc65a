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
        do {
            children.append(try Spawn.start(arguments, environment: env, output: .discarded))
        } catch {
            throw Failure(description: "cannot start \(arguments[0]) (Scripts/install-deps installs it)")
        }
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
