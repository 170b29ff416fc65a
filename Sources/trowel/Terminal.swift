import Foundation
import Synchronization

/// The few terminal facts headless commands need: is stderr a TTY, how wide, and the progress line.
enum Terminal {
    static var isInteractive: Bool { isatty(STDERR_FILENO) == 1 }

    static var width: Int {
        var size = winsize()
        if ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return 80
    }

    private static let progressShown = Atomic<Bool>(false)

    /// Redraws the one-line progress bar in place (stderr; only on a TTY).
    static func showProgress(_ line: String) {
        guard isInteractive else { return }
        progressShown.store(true, ordering: .relaxed)
        FileHandle.standardError.write(Data("\r\u{1B}[2K\(line)".utf8))
    }

    static func clearProgressLine() {
        if progressShown.exchange(false, ordering: .relaxed) {
            FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
        }
    }
}
