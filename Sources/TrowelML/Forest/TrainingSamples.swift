/// Labelled feature vectors to train on: row i is `features[i*featureCount ..< (i+1)*featureCount]`
/// with label `labels[i]` (a class id, never 0).
public struct TrainingSamples: Sendable {
    public var featureCount: Int
    public var features: [Float]
    public var labels: [UInt8]

    /// Throws `TrainingError` if the sizes disagree or a label is 0.
    public init(featureCount: Int, features: [Float], labels: [UInt8]) throws {
        guard featureCount > 0 else { throw TrainingError.noFeatures }
        guard features.count == labels.count * featureCount else {
            throw TrainingError.sizeMismatch(values: features.count, labels: labels.count, featureCount: featureCount)
        }
        if labels.contains(0) { throw TrainingError.unlabelledSample }
        self.featureCount = featureCount
        self.features = features
        self.labels = labels
    }

    /// The labelled voxels of a feature image: every voxel whose label (same shape) is not 0.
    public init(features image: FeatureImage, labels: [UInt8]) throws {
        guard labels.count == image.voxelCount else {
            throw TrainingError.sizeMismatch(values: image.values.count, labels: labels.count, featureCount: image.featureCount)
        }
        let offsets = labels.indices.filter { labels[$0] != 0 }
        try self.init(featureCount: image.featureCount, features: image.rows(at: offsets), labels: offsets.map { labels[$0] })
    }

    public var count: Int { labels.count }

    /// Samples per class id, ascending by id.
    public var classCounts: [(id: UInt8, count: Int)] {
        var counts = [Int](repeating: 0, count: 256)
        for l in labels { counts[Int(l)] += 1 }
        return (1..<256).filter { counts[$0] > 0 }.map { (UInt8($0), counts[$0]) }
    }
}

/// Why a forest could not be trained.
public enum TrainingError: Error, Equatable, CustomStringConvertible {
    case noFeatures
    case noSamples
    case unlabelledSample
    case sizeMismatch(values: Int, labels: Int, featureCount: Int)
    case featureCountMismatch(samples: Int, spec: Int)
    case unknownClass(UInt8)
    case invalidConfiguration(String)

    public var description: String {
        switch self {
        case .noFeatures: return "training: no features per sample"
        case .noSamples: return "training: no labelled samples yet; paint some voxels of at least one class"
        case .unlabelledSample: return "training: a sample has label 0 (unlabelled)"
        case .sizeMismatch(let v, let l, let f):
            return "training: \(v) feature values do not make \(l) samples of \(f) features"
        case .featureCountMismatch(let s, let spec):
            return "training: samples have \(s) features but the feature specification gives \(spec)"
        case .unknownClass(let id): return "training: label \(id) is not in the class table"
        case .invalidConfiguration(let m): return "training: \(m)"
        }
    }
}
