import Foundation

extension FeatureSpec {
    /// The feature specification recorded with a forest trained on plain rows of `count` values
    /// that are not pixel features (e.g. slice descriptors): `count` intensity scales, identity
    /// normalisation. It only sizes the rows; such a forest is never applied to an image (its
    /// owner keeps the real description of its rows) and `isPlainRows` tells it apart.
    public static func plainRows(_ count: Int) -> FeatureSpec {
        FeatureSpec(filters: [.intensity], sigmas: (1...max(1, count)).map(Double.init), normalization: .identity)
    }

    /// True for `plainRows(_:)` specs.
    public var isPlainRows: Bool {
        filters == [.intensity] && normalization == .identity && !includesRaw && omitted.isEmpty
            && sigmas == (1...max(1, sigmas.count)).map(Double.init)
    }
}

extension RandomForest {
    /// Trains on plain rows (`samples.featureCount` values each) rather than pixel features; predict
    /// with `probabilities(forRows:count:)`.
    public static func train(onRows samples: TrainingSamples, classTable: [ClassInfo] = [],
                             configuration: ForestConfiguration = ForestConfiguration()) throws -> RandomForest {
        try train(on: samples, spec: .plainRows(samples.featureCount), classTable: classTable, configuration: configuration)
    }
}
