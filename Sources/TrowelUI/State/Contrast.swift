/// The window/level mapping of raw voxel values to grey: `low` is black, `high` is white.
public struct Contrast: Equatable, Sendable {
    public var low: Double
    public var high: Double

    public init(low: Double, high: Double) {
        self.low = low
        self.high = max(high, low + 1e-6)
    }

    public var width: Double { high - low }
    public var level: Double { (low + high) / 2 }

    /// Grey 0…1 for a raw value.
    @inline(__always)
    public func grey(_ value: Double) -> Double { max(0, min(1, (value - low) / (high - low))) }

    public func contains(_ value: Double) -> Bool { value >= low && value <= high }

    /// Window scaled by `factor` around the same level.
    public func scaled(by factor: Double) -> Contrast {
        let half = width * factor / 2
        return Contrast(low: level - half, high: level + half)
    }

    /// Window moved by `fraction` of its width (positive = brighter image, i.e. the window moves down).
    public func shifted(by fraction: Double) -> Contrast {
        Contrast(low: low - fraction * width, high: high - fraction * width)
    }

    /// The 0.5–99.5 % window of `values` (NaNs ignored); nil when there is nothing to measure.
    public static func auto(for values: [Float]) -> Contrast? {
        let finite = values.filter { $0.isFinite }
        guard !finite.isEmpty else { return nil }
        let sorted = finite.sorted()
        let lo = Double(sorted[Int(Double(sorted.count - 1) * 0.005)])
        let hi = Double(sorted[Int(Double(sorted.count - 1) * 0.995)])
        return Contrast(low: lo, high: hi > lo ? hi : lo + 1)
    }
}
