import Foundation

/// A normalisation window per slice of a scan, so brightness that drifts along z (beam hardening,
/// source decay, stitched scans) is taken out before features are computed. Each slice's window
/// is a typical slice's 0.5–99.5 % window moved and stretched by how that slice's interquartile
/// range (25–75 %, the matrix in a specimen that is mostly rock) differs from the typical one, so a
/// slice with more, less or no bone gets the same window as its neighbours: its own extreme
/// percentiles would follow its content, not its brightness. "Typical" is the median over slices.
/// Measured on the finest pyramid level of at most `voxelBudget` voxels (one pass over a few
/// million voxels, not the whole scan), mapped to full-resolution slices and smoothed over
/// ±`smoothing` slices.
public struct SliceWindows: Sendable, Equatable {
    public var lower: [Double]
    public var upper: [Double]

    public init(lower: [Double], upper: [Double]) {
        precondition(lower.count == upper.count, "SliceWindows: \(lower.count) lower and \(upper.count) upper values")
        self.lower = lower
        self.upper = upper
    }

    /// Measures `volume`'s windows (see the type's description).
    public static func measure(_ volume: MultiscaleVolume, voxelBudget: Int = 1 << 24, smoothing: Int = 2,
                               lowFraction: Double = 0.005, highFraction: Double = 0.995) throws -> SliceWindows {
        let level = volume.levels.indices.first { volume.levels[$0].shape.voxelCount <= voxelBudget } ?? volume.levels.count - 1
        let shape = volume.levels[level].shape
        var low = [Double](repeating: 0, count: shape.z), high = low, q1 = low, q3 = low
        for s in 0..<shape.z {
            var stats = ValueStatistics(expectedCount: shape.y * shape.x, sampleLimit: 1 << 16)
            stats.add(try volume.read(Box(z: s..<(s + 1), y: 0..<shape.y, x: 0..<shape.x), level: level))
            low[s] = stats.percentile(lowFraction)
            high[s] = stats.percentile(highFraction)
            q1[s] = stats.percentile(0.25)
            q3[s] = stats.percentile(0.75)
        }
        func median(_ v: [Double]) -> Double { v.sorted()[v.count / 2] }
        let typicalQ1 = median(q1), typicalSpread = max(median(q3) - typicalQ1, 1e-12)
        let typicalLow = median(low) - typicalQ1, typicalHigh = median(high) - typicalQ1
        for s in 0..<shape.z {
            let gain = max(q3[s] - q1[s], 1e-12) / typicalSpread
            low[s] = q1[s] + typicalLow * gain
            high[s] = q1[s] + typicalHigh * gain
        }
        // Full-resolution slices take the level slice that covers them, then a running mean.
        let depth = volume.shape.z
        let mapped = (0..<depth).map { min(shape.z - 1, $0 * shape.z / max(1, depth)) }
        func smoothed(_ values: [Double]) -> [Double] {
            (0..<depth).map { i in
                let range = max(0, i - smoothing)...min(depth - 1, i + smoothing)
                return range.map { values[mapped[$0]] }.reduce(0, +) / Double(range.count)
            }
        }
        return SliceWindows(lower: smoothed(low), upper: smoothed(high))
    }

    private static let memo = Memo()

    /// `measure(volume)`, remembered per scan for the life of the process (training asks again
    /// for every candidate and every stroke).
    public static func measured(_ volume: MultiscaleVolume) throws -> SliceWindows {
        if let known = memo.value(for: volume.url) { return known }
        let windows = try measure(volume)
        memo.store(windows, for: volume.url)
        return windows
    }

    final class Memo: @unchecked Sendable {
        private let lock = NSLock()
        private var values: [URL: SliceWindows] = [:]
        func value(for url: URL) -> SliceWindows? { lock.withLock { values[url] } }
        func store(_ w: SliceWindows, for url: URL) { lock.withLock { values[url] = w } }
    }
}
