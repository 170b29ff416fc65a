/// Why the full-screen terminal could not start; each message says what to do instead.
public enum TerminalError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `stream` ("stdin" or "stdout") is a pipe or file, as in scripts and cron jobs.
    case notATerminal(stream: String)
    /// TERM is unset or empty.
    case noTerminalType
    /// TERM names a terminal that cannot address the cursor (`dumb`).
    case dumbTerminal(String)
    /// TERM names a type terminfo does not know.
    case unknownTerminalType(String)
    /// ncurses refused to start for another reason.
    case cursesFailed(String)

    public var description: String {
        switch self {
        case .notATerminal(let stream):
            return "trowel needs a terminal: \(stream) is not a TTY; use the headless commands (trowel info, convert, …) in scripts"
        case .noTerminalType:
            return "trowel needs a terminal: TERM is not set; set it (e.g. TERM=xterm-256color) or use the headless commands (trowel info, convert, …)"
        case .dumbTerminal(let term):
            return "trowel needs a full-screen terminal: TERM=\(term) cannot move the cursor; use a real terminal or the headless commands (trowel info, convert, …)"
        case .unknownTerminalType(let term):
            return "terminal type '\(term)' is unknown to terminfo; set TERM=xterm-256color or install its terminfo (apt install ncurses-term)"
        case .cursesFailed(let what):
            return "could not start the terminal screen: \(what)"
        }
    }
}
