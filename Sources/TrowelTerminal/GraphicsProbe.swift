import Foundation
import TrowelUI
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Asks the terminal what it can draw, before curses takes it: raw mode, one batch of queries,
/// the replies read until DA1's answer arrives (every terminal answers it, and in order) or a
/// short timeout, then the terminal modes put back.
public enum GraphicsProbe {
    /// kitty graphics query (a 1×1 image that is only checked), XTVERSION, cell size, text area
    /// size, sixel colour registers (XTSMGRAPHICS), and DA1 last.
    public static let queries = kittyQuery + otherQueries
    static let kittyQuery = "\u{1B}_Gi=31,s=1,v=1,a=q,t=d,f=24;AAAA\u{1B}\\"
    static let otherQueries = "\u{1B}[>0q" + "\u{1B}[16t" + "\u{1B}[14t" + "\u{1B}[?1;1;0S" + "\u{1B}[c"

    /// Sends the queries on `output` and reads the answers from `input`; an empty result when the
    /// descriptors are not a terminal. Inside tmux the kitty query is left out: tmux does not
    /// answer it and would take it for a pane title.
    public static func query(input: Int32 = STDIN_FILENO, output: Int32 = STDOUT_FILENO, insideTmux: Bool = false,
                             timeoutMilliseconds: Int = 600) -> TerminalReplies {
        guard isatty(input) == 1, isatty(output) == 1 else { return TerminalReplies() }
        var saved = termios()
        guard tcgetattr(input, &saved) == 0 else { return TerminalReplies() }
        var raw = saved
        cfmakeraw(&raw)
        guard tcsetattr(input, TCSANOW, &raw) == 0 else { return TerminalReplies() }
        defer { tcsetattr(input, TCSANOW, &saved) }
        let bytes = Array((insideTmux ? otherQueries : queries).utf8)
        _ = bytes.withUnsafeBytes { write(output, $0.baseAddress, $0.count) }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1024)
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: .milliseconds(timeoutMilliseconds))
        while clock.now < deadline {
            let left = clock.now.duration(to: deadline).components
            var fd = pollfd(fd: input, events: Int16(POLLIN), revents: 0)
            let wait = Int32(max(1, left.seconds * 1000 + left.attoseconds / 1_000_000_000_000_000))
            guard poll(&fd, 1, wait) > 0 else { continue }
            let n = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            received += buffer[0..<n]
            if TerminalReplies(parsing: received).isComplete { break }
        }
        return TerminalReplies(parsing: received)
    }

    /// The window's size in pixels as the kernel knows it (0 × 0 when the terminal does not say).
    public static func windowPixels(_ descriptor: Int32 = STDOUT_FILENO) -> (width: Int, height: Int) {
        var size = winsize()
        guard ioctl(descriptor, UInt(TIOCGWINSZ), &size) == 0 else { return (0, 0) }
        return (Int(size.ws_xpixel), Int(size.ws_ypixel))
    }

    /// The window's size in cells.
    public static func windowCells(_ descriptor: Int32 = STDOUT_FILENO) -> (columns: Int, rows: Int) {
        var size = winsize()
        guard ioctl(descriptor, UInt(TIOCGWINSZ), &size) == 0 else { return (0, 0) }
        return (Int(size.ws_col), Int(size.ws_row))
    }

    /// What tmux says when Trowel runs inside it ($TMUX set), by asking the tmux server.
    public static func tmux(environment: [String: String]) -> TmuxInfo? {
        guard let socket = environment["TMUX"], !socket.isEmpty else { return nil }
        func ask(_ arguments: [String]) -> String? {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["tmux"] + arguments
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = FileHandle.nullDevice
            do { try process.run() } catch { return nil }
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { return nil }
            return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let pane = ask(["show-options", "-pqv", "allow-passthrough"]) ?? ""
        let global = ask(["show-options", "-gqv", "allow-passthrough"]) ?? ""
        let value = pane.isEmpty ? global : pane
        return TmuxInfo(passthrough: value == "on" || value == "all",
                        clientTerminal: ask(["display-message", "-p", "#{client_termname}"]))
    }
}
