import Foundation

/// A grey-value histogram binned as scikit-image's `exposure.histogram(image, 256,
/// source_range='image')` bins it, which is what `threshold_otsu` and `threshold_multiotsu` see:
/// integer data get one bin per integer from the minimum to the maximum (no rebinning); floating
/// point data get 256 equal bins from the minimum to the maximum (numpy's edges, last bin closed).
/// Built in two passes so a volume can be streamed: the value range first, then `add` per slab.
public struct IntensityHistogram: Sendable, Equatable {
    /// Voxels per bin.
    public private(set) var counts: [Double]
    /// The value each bin stands for (its integer, or the mid-point of its edges).
    public let centers: [Double]
    public let lower: Double
    public let upper: Double
    /// One bin per integer (integer data) rather than `binCount` equal bins.
    public let integral: Bool
    /// Equal-bin edges (float data), `counts.count + 1` of them; empty for integer data.
    let edges: [Double]
    /// Float32 data: numpy computes its edges in single precision.
    let singlePrecision: Bool

    /// Most bins an integer histogram gets; wider integer ranges are binned like floats.
    public static let maximumIntegerBins = 1 << 20

    /// A histogram of values in `lower...upper` (the data's own minimum and maximum).
    public init(lower: Double, upper: Double, integral: Bool, singlePrecision: Bool = false, binCount: Int = 256) {
        self.lower = lower
        self.upper = upper
        self.singlePrecision = singlePrecision
        if integral, upper - lower < Double(Self.maximumIntegerBins) {
            self.integral = true
            let n = Int(upper - lower) + 1
            centers = (0..<n).map { lower + Double($0) }
            counts = [Double](repeating: 0, count: n)
            edges = []
        } else {
            self.integral = false
            var e: [Double]
            if singlePrecision {
                let lo = Float(lower), hi = Float(upper), step = (hi - lo) / Float(binCount)
                e = (0...binCount).map { Double(Float($0) * step + lo) }
                e[binCount] = Double(hi)
                centers = (0..<binCount).map { Double((Float(e[$0]) + Float(e[$0 + 1])) / 2) }
            } else {
                let step = (upper - lower) / Double(binCount)
                e = (0...binCount).map { Double($0) * step + lower }
                e[binCount] = upper
                centers = (0..<binCount).map { (e[$0] + e[$0 + 1]) / 2 }
            }
            edges = e
            counts = [Double](repeating: 0, count: binCount)
        }
    }

    /// The histogram of `values` (scikit-image's binning for data of that kind).
    public init(_ values: [Double], integral: Bool, singlePrecision: Bool = false) {
        let lo = values.min() ?? 0, hi = values.max() ?? 0
        self.init(lower: lo, upper: hi, integral: integral, singlePrecision: singlePrecision)
        add(values)
    }

    /// Total count.
    public var total: Double { counts.reduce(0, +) }

    /// Bin of `v` (clamped to the range).
    public func bin(of v: Double) -> Int {
        if integral { return min(counts.count - 1, max(0, Int((v - lower).rounded()))) }
        let n = counts.count
        guard upper > lower else { return 0 }
        var i = min(n - 1, max(0, Int((v - lower) / (upper - lower) * Double(n))))
        while i > 0 && v < edges[i] { i -= 1 }
        while i < n - 1 && v >= edges[i + 1] { i += 1 }
        return i
    }

    /// Counts `values` (which must lie in `lower...upper`).
    public mutating func add(_ values: [Double]) {
        for v in values where v.isFinite { counts[bin(of: v)] += 1 }
    }

    /// Counts a pre-binned histogram (another histogram of the same range).
    public mutating func add(_ other: IntensityHistogram) {
        precondition(other.counts.count == counts.count, "IntensityHistogram: bins differ")
        for i in counts.indices { counts[i] += other.counts[i] }
    }
}
