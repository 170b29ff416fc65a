import Foundation

/// A progress bar line: `converting ██████████░░░░░░  62%  99/160 slices  48.2 MB/s  ETA 0:03`.
struct ProgressBar {
    var label: String
    var unit: String

    func line(done: Int, total: Int, bytes: Int, elapsed: Double, width: Int) -> String {
        let fraction = total > 0 ? Double(done) / Double(total) : 1
        let rate = elapsed > 0 ? Double(bytes) / elapsed / 1_048_576 : 0
        let remaining = fraction > 0 ? elapsed * (1 - fraction) / fraction : 0
        let tail = String(format: " %3d%%  %d/%d %@  %.1f MB/s  ETA %@", Int(fraction * 100), done, total, unit, rate,
                          Self.clock(remaining))
        let barWidth = max(10, min(40, width - label.count - tail.count - 2))
        let filled = Int(fraction * Double(barWidth))
        return "\(label) " + String(repeating: "█", count: filled) + String(repeating: "░", count: barWidth - filled) + tail
    }

    /// `m:ss` or `h:mm:ss`.
    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
