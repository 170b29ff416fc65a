import Foundation

/// A tmux server of its own (its own socket) running one command in a pane of a fixed size: how
/// the end-to-end tests type into the real binary and read its screen.
struct Tmux {
    let socket = "trowel-test-\(UUID().uuidString.prefix(8))"

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs a tmux command. `capture` reads its output; never capture a command that starts the
    /// server, which would inherit the pipe and keep it open for its whole life.
    @discardableResult
    func run(_ arguments: [String], capture: Bool = true) throws -> String {
        let (status, text) = try Spawn.run(["tmux", "-L", socket] + arguments, capture: capture)
        guard status == 0 else {
            throw Failure(description: "tmux \(arguments.joined(separator: " ")) failed (is tmux installed? Scripts/install-deps): \(text)")
        }
        return text
    }

    func start(_ shellCommand: String, width: Int = 120, height: Int = 36) throws {
        try run(["new-session", "-d", "-x", "\(width)", "-y", "\(height)", "-s", "t", shellCommand], capture: false)
    }

    func keys(_ keys: String...) throws { try run(["send-keys", "-t", "t"] + keys) }

    /// Types raw bytes (e.g. an SGR mouse report) as if the terminal had sent them.
    func literal(_ text: String) throws { try run(["send-keys", "-t", "t", "-l", text]) }

    /// The pane's text; with `colors`, with the escape sequences of its colours too.
    func screen(colors: Bool = false) throws -> String { try run(["capture-pane", "-p"] + (colors ? ["-e"] : []) + ["-t", "t"]) }

    /// Waits until the screen contains `text`.
    func wait(for text: String, seconds: Double = 20) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if (try? screen())?.contains(text) == true { return }
            usleep(100_000)
        }
        throw Failure(description: "'\(text)' never appeared; screen:\n\(try screen())")
    }

    /// Waits until `file` exists (the pane's command writes it when the binary exits).
    func wait(forFile file: URL, seconds: Double = 20) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if FileManager.default.fileExists(atPath: file.path) { usleep(200_000); return }
            usleep(100_000)
        }
        throw Failure(description: "\(file.lastPathComponent) never appeared; screen:\n\(try screen())")
    }

    func kill() { _ = try? run(["kill-server"], capture: false) }
}
