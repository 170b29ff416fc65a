/// How well one class is segmented, one-vs-rest: the class against every other scored voxel.
/// Ratios whose denominator is 0 are 0 (scikit-learn's `zero_division=0`).
public struct ClassMetrics: Codable, Sendable, Equatable {
    /// tp / (tp + fp): of the voxels predicted as this class, the share that are.
    public var precision: Double
    /// tp / (tp + fn): of the voxels of this class, the share found.
    public var recall: Double
    /// 2tp / (2tp + fp + fn), also the Dice coefficient.
    public var f1: Double
    /// tp / (tp + fp + fn), intersection over union.
    public var jaccard: Double
    /// (tp + tn) / all scored voxels.
    public var accuracy: Double
    /// Scored voxels whose truth is this class (tp + fn).
    public var support: Int

    public init(precision: Double, recall: Double, f1: Double, jaccard: Double, accuracy: Double, support: Int) {
        self.precision = precision
        self.recall = recall
        self.f1 = f1
        self.jaccard = jaccard
        self.accuracy = accuracy
        self.support = support
    }

    /// The metrics of a one-vs-rest confusion: true/false positives and negatives.
    public init(truePositives tp: Int, falsePositives fp: Int, falseNegatives fn: Int, trueNegatives tn: Int) {
        func ratio(_ a: Int, _ b: Int) -> Double { b == 0 ? 0 : Double(a) / Double(b) }
        self.init(precision: ratio(tp, tp + fp), recall: ratio(tp, tp + fn), f1: ratio(2 * tp, 2 * tp + fp + fn),
                  jaccard: ratio(tp, tp + fp + fn), accuracy: ratio(tp + tn, tp + fp + fn + tn), support: tp + fn)
    }
}
