#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Signal handlers may only touch async-signal-safe state: plain integers set before installation.
nonisolated(unsafe) private var signalPipeWriteEnd: Int32 = -1
nonisolated(unsafe) private var crashTerminal: Int32 = -1
nonisolated(unsafe) private var crashTerminalModes = termios()

/// Writes the signal number to the self-pipe; the run loop reads it on the curses thread.
private func forwardSignal(_ signal: Int32) {
    let savedErrno = errno
    var byte = UInt8(truncatingIfNeeded: signal)
    _ = write(signalPipeWriteEnd, &byte, 1)
    errno = savedErrno
}

/// On a crash (trap, segfault, abort) puts the terminal back with raw writes and `tcsetattr` (both
/// async-signal-safe), then returns: the handler was installed with SA_RESETHAND, so the faulting
/// instruction (or abort's re-raise) runs the default action.
private func restoreTerminalOnCrash(_ signal: Int32) {
    guard crashTerminal >= 0 else { return }
    let reset: StaticString = "\u{1B}[?1002l\u{1B}[?1006l\u{1B}[0m\u{1B}[?25h\u{1B}[?1049l\r\n"
    _ = write(crashTerminal, reset.utf8Start, reset.utf8CodeUnitCount)
    _ = tcsetattr(crashTerminal, TCSANOW, &crashTerminalModes)
}

/// Catches the signals that end a session (SIGTERM, SIGHUP from a dropped SSH link, SIGINT, SIGQUIT)
/// through a self-pipe, so the app can save its work and the terminal is restored on the curses thread.
///
/// One trap exists at a time (signal dispositions are process-wide). Install it before `newterm`, or
/// ncurses installs its own SIGINT/SIGTERM handlers that exit without letting the app flush.
final class SignalTrap {
    static let terminating: [Int32] = [SIGTERM, SIGHUP, SIGINT, SIGQUIT]
    static let crashing: [Int32] = [SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGFPE, SIGABRT]

    /// Readable when a terminating signal arrived.
    let readDescriptor: Int32
    private let writeDescriptor: Int32
    private var previous: [(Int32, sigaction)] = []
    private var installed = false

    init() throws(TerminalError) {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw .cursesFailed("cannot create the signal pipe (errno \(errno))") }
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        readDescriptor = fds[0]
        writeDescriptor = fds[1]
        signalPipeWriteEnd = writeDescriptor
        for signal in Self.terminating { install(forwardSignal, for: signal, flags: SA_RESTART) }
        TerminatingSignals.unblock(Self.terminating)
        // A write to a dropped SSH link must fail with EPIPE, not kill the process before it saves.
        install(nil, for: SIGPIPE, flags: 0)
        installed = true
    }

    /// Also restores `terminal` to `modes` if the process crashes (the app's state is lost, the shell is not).
    func restoreOnCrash(terminal: Int32, modes: termios) {
        crashTerminalModes = modes
        crashTerminal = terminal
        for signal in Self.crashing { install(restoreTerminalOnCrash, for: signal, flags: Int32(bitPattern: UInt32(truncatingIfNeeded: SA_RESETHAND))) }
    }

    /// The signals that arrived since the last call, oldest first.
    func pendingSignals() -> [Int32] {
        var signals: [Int32] = []
        var buffer = [UInt8](repeating: 0, count: 64)
        while true {
            let n = read(readDescriptor, &buffer, buffer.count)
            if n <= 0 { break }
            signals += buffer[0..<n].map { Int32($0) }
        }
        return signals
    }

    /// Puts back the dispositions that were there before; idempotent.
    func uninstall() {
        guard installed else { return }
        installed = false
        crashTerminal = -1
        for (signal, var action) in previous.reversed() { _ = sigaction(signal, &action, nil) }
        previous = []
        signalPipeWriteEnd = -1
        close(readDescriptor)
        close(writeDescriptor)
    }

    deinit { uninstall() }

    /// Installs `handler` (nil: ignore) for `signal`, remembering the old action once.
    private func install(_ handler: (@convention(c) (Int32) -> Void)?, for signal: Int32, flags: Int32) {
        var action = sigaction()
        #if canImport(Glibc)
        action.__sigaction_handler.sa_handler = handler ?? SIG_IGN
        #else
        action.__sigaction_u.__sa_handler = handler ?? SIG_IGN
        #endif
        sigemptyset(&action.sa_mask)
        action.sa_flags = flags
        var old = sigaction()
        guard sigaction(signal, &action, &old) == 0 else { return }
        if !previous.contains(where: { $0.0 == signal }) { previous.append((signal, old)) }
    }
}
