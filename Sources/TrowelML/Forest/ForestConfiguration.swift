/// How a random forest is trained. Defaults are ml4paleo's: 50 trees, depth 12, unweighted classes.
/// Balanced weights buy recall on a rare class with more false positives; on every real scan measured
/// they lost 0.01–0.03 F1, so they are an option, not the default.
public struct ForestConfiguration: Hashable, Sendable, Codable {
    /// How samples of each class are weighted.
    public enum ClassWeighting: String, Hashable, Sendable, Codable {
        /// Every sample weighs 1 (scikit-learn's `class_weight=None`).
        case uniform
        /// Class k weighs n / (classes × n_k) (scikit-learn's `class_weight="balanced"`).
        case balanced
    }

    public var treeCount: Int = 50
    /// Deepest split level; the root is depth 0 (scikit-learn's `max_depth`).
    public var maxDepth: Int = 12
    /// A split must leave at least this many samples on each side.
    public var minSamplesLeaf: Int = 1
    /// Nodes with fewer samples are not split.
    public var minSamplesSplit: Int = 2
    /// Features tried per split; nil means ⌊√features⌋ (scikit-learn's `max_features="sqrt"`).
    public var featuresPerSplit: Int? = nil
    public var classWeighting: ClassWeighting = .uniform
    /// Each tree learns from a bootstrap sample (with replacement) of the training samples.
    public var bootstrap: Bool = true
    /// Training samples beyond this are subsampled, keeping each class's share (stratified).
    public var maxSamples: Int = 250_000
    /// Seeds every random choice: the same samples and seed give the identical forest.
    public var seed: UInt64 = 0

    public init(treeCount: Int = 50, maxDepth: Int = 12, minSamplesLeaf: Int = 1, minSamplesSplit: Int = 2,
                featuresPerSplit: Int? = nil, classWeighting: ClassWeighting = .uniform,
                bootstrap: Bool = true, maxSamples: Int = 250_000, seed: UInt64 = 0) {
        self.treeCount = treeCount
        self.maxDepth = maxDepth
        self.minSamplesLeaf = minSamplesLeaf
        self.minSamplesSplit = minSamplesSplit
        self.featuresPerSplit = featuresPerSplit
        self.classWeighting = classWeighting
        self.bootstrap = bootstrap
        self.maxSamples = maxSamples
        self.seed = seed
    }

    /// Features tried per split for `featureCount` features.
    public func featuresPerSplit(for featureCount: Int) -> Int {
        let n = featuresPerSplit ?? Int(Double(featureCount).squareRoot())
        return min(featureCount, max(1, n))
    }
}
