/// Running statistics of a scan's voxel values, gathered slab by slab during import: exact
/// minimum, maximum and mean, and percentiles from a deterministic strided sample (bounded memory).
public struct ValueStatistics: Sendable, Codable, Equatable {
    public private(set) var minimum = Double.infinity
    public private(set) var maximum = -Double.infinity
    public private(set) var count = 0
    private var sum = 0.0
    private var sample: [Float] = []
    private var stride: Int
    private let sampleLimit: Int

    /// `expectedCount` voxels will be seen in total; about `sampleLimit` of them are kept for percentiles.
    public init(expectedCount: Int, sampleLimit: Int = 1 << 20) {
        self.sampleLimit = sampleLimit
        self.stride = max(1, expectedCount / sampleLimit)
    }

    public var mean: Double { count > 0 ? sum / Double(count) : .nan }

    /// Adds every voxel of a block (NaNs are skipped).
    public mutating func add(_ block: AnyBlock) {
        switch block {
        case .u8(let b): add(b)
        case .u16(let b): add(b)
        case .i16(let b): add(b)
        case .u32(let b): add(b)
        case .i32(let b): add(b)
        case .f32(let b): add(b)
        case .f64(let b): add(b)
        }
    }

    public mutating func add<T: VoxelScalar>(_ block: Block<T>) {
        var lo = minimum, hi = maximum, s = 0.0, n = 0
        let phase = count
        block.elements.withUnsafeBufferPointer { values in
            for i in 0..<values.count {
                let d = values[i].doubleValue
                if d.isNaN { continue }
                if d < lo { lo = d }
                if d > hi { hi = d }
                s += d
                n += 1
                if (phase + i) % stride == 0 { sample.append(Float(d)) }
            }
        }
        minimum = lo
        maximum = hi
        sum += s
        count += n
        if sample.count > 2 * sampleLimit {   // more voxels than announced: thin the sample
            sample = Swift.stride(from: 0, to: sample.count, by: 2).map { sample[$0] }
            stride *= 2
        }
    }

    /// The value below which `fraction` (0…1) of the sampled voxels lie.
    public func percentile(_ fraction: Double) -> Double {
        guard !sample.isEmpty else { return .nan }
        let sorted = sample.sorted()
        let i = min(sorted.count - 1, max(0, Int((fraction * Double(sorted.count - 1)).rounded())))
        return Double(sorted[i])
    }

    /// The facts worth keeping once import is over.
    public var summary: ValueSummary {
        ValueSummary(minimum: minimum, maximum: maximum, mean: mean, low: percentile(0.005), high: percentile(0.995))
    }
}

/// Value range of a scan: extremes, mean and the 0.5 / 99.5 percentiles used for auto-contrast.
public struct ValueSummary: Sendable, Codable, Equatable {
    public var minimum: Double
    public var maximum: Double
    public var mean: Double
    public var low: Double
    public var high: Double

    public init(minimum: Double, maximum: Double, mean: Double, low: Double, high: Double) {
        self.minimum = minimum
        self.maximum = maximum
        self.mean = mean
        self.low = low
        self.high = high
    }
}
