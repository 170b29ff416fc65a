/// Segmentation quality: one-vs-rest metrics per class id, overall accuracy and how many voxels
/// were scored. Made by cross-validation after each training and by `trowel eval`.
public struct Metrics: Codable, Sendable, Equatable {
    /// By class id.
    public var perClass: [Int: ClassMetrics]
    /// Share of scored voxels predicted as their true class.
    public var overallAccuracy: Double
    public var evaluatedVoxels: Int

    public init(perClass: [Int: ClassMetrics], overallAccuracy: Double, evaluatedVoxels: Int) {
        self.perClass = perClass
        self.overallAccuracy = overallAccuracy
        self.evaluatedVoxels = evaluatedVoxels
    }

    /// Metrics of `predicted` against `truth` (same length) from their confusion matrix; voxels whose
    /// truth is not one of `classes` are not scored.
    public static func from(truth: [UInt8], predicted: [UInt8], classes: [Int]) -> Metrics {
        var matrix = ConfusionMatrix(classes: classes)
        matrix.add(truth: truth, predicted: predicted)
        return matrix.metrics
    }

    enum CodingKeys: String, CodingKey {
        case perClass = "per_class", overallAccuracy = "overall_accuracy", evaluatedVoxels = "evaluated_voxels"
    }

    // Class ids are written as JSON object keys ("1": {…}), not as a flat key/value array.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        perClass = try ClassKeyed.decode(try c.decode([String: ClassMetrics].self, forKey: .perClass), in: c, key: .perClass)
        overallAccuracy = try c.decode(Double.self, forKey: .overallAccuracy)
        evaluatedVoxels = try c.decode(Int.self, forKey: .evaluatedVoxels)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(ClassKeyed.encode(perClass), forKey: .perClass)
        try c.encode(overallAccuracy, forKey: .overallAccuracy)
        try c.encode(evaluatedVoxels, forKey: .evaluatedVoxels)
    }
}

/// Converts dictionaries keyed by class id to and from JSON objects keyed by the id's digits.
enum ClassKeyed {
    static func encode<V>(_ values: [Int: V]) -> [String: V] {
        Dictionary(uniqueKeysWithValues: values.map { (String($0.key), $0.value) })
    }

    static func decode<V, K: CodingKey>(_ values: [String: V], in container: KeyedDecodingContainer<K>, key: K) throws -> [Int: V] {
        var out: [Int: V] = [:]
        for (k, v) in values {
            guard let id = Int(k) else {
                throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "class id '\(k)' is not a number")
            }
            out[id] = v
        }
        return out
    }
}
