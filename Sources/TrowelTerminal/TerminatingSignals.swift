import Foundation

/// SIGINT, SIGTERM and SIGHUP: the signals that must let Trowel save and restore the terminal.
public enum TerminatingSignals {
    public static let all: [Int32] = [SIGINT, SIGTERM, SIGHUP]

    /// Unblocks them in this thread: a parent (a scheduler, a test runner) may start us with them
    /// blocked, and the mask survives exec — a blocked SIGHUP would leave a dropped SSH session raw.
    public static func unblock(_ signals: [Int32] = all) {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in signals { sigaddset(&set, signal) }
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }
}
