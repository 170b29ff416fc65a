import Foundation
import TrowelML

/// Per-class weights on the forest's probabilities, chosen on the held-out predictions to raise the
/// mean F1 over classes: the most probable class is rarely the F1-best call for a rare class (a
/// forest trained on few lesion voxels under-calls it), and balanced class weights overshoot.
/// Kept only when it measurably helps: weights tuned on the other folds are scored on each fold
/// (cross-fitting), so the tuned score is as held-out as the plain one.
public struct DecisionTuning: Codable, Sendable, Equatable {
    /// By class id; 1 for the first class (only ratios matter).
    public var weights: [Int: Double]
    /// Mean held-out F1 of the plain argmax.
    public var plainScore: Double
    /// Mean held-out F1 when each fold is decided with weights tuned on the other folds.
    public var tunedScore: Double
    /// The cross-fitted metrics behind `tunedScore`.
    public var tunedMetrics: Metrics
    /// Whether the model uses the weights: only when `tunedScore` beats `plainScore`.
    public var adopted: Bool { tunedScore > plainScore && weights.values.contains { $0 != 1 } }

    /// The weights in the order of `classes` (1 for a class the tuning did not see).
    public func weights(for classes: [ClassInfo]) -> [Float] {
        classes.map { Float(weights[Int($0.id)] ?? 1) }
    }

    enum CodingKeys: String, CodingKey {
        case weights, plainScore = "plain_mean_f1", tunedScore = "tuned_mean_f1", tunedMetrics = "tuned_cross_validation"
        case adopted
    }

    public init(weights: [Int: Double], plainScore: Double, tunedScore: Double, tunedMetrics: Metrics) {
        self.weights = weights
        self.plainScore = plainScore
        self.tunedScore = tunedScore
        self.tunedMetrics = tunedMetrics
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        weights = try ClassKeyed.decode(try c.decode([String: Double].self, forKey: .weights), in: c, key: .weights)
        plainScore = try c.decode(Double.self, forKey: .plainScore)
        tunedScore = try c.decode(Double.self, forKey: .tunedScore)
        tunedMetrics = try c.decode(Metrics.self, forKey: .tunedMetrics)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(ClassKeyed.encode(weights), forKey: .weights)
        try c.encode(plainScore, forKey: .plainScore)
        try c.encode(tunedScore, forKey: .tunedScore)
        try c.encode(tunedMetrics, forKey: .tunedMetrics)
        try c.encode(adopted, forKey: .adopted)
    }

    /// `forest` deciding as `predictions` say it should, with `record` updated to match: its
    /// `decision`, and where the weights are adopted its held-out metrics (and the last stage's)
    /// replaced by the cross-fitted ones. Without predictions the forest and record stay as they are.
    public static func decide(_ forest: RandomForest, record: inout ModelRecord,
                              from predictions: HeldOutPredictions?) throws -> RandomForest {
        record.decision = predictions.flatMap(tune)
        guard let d = record.decision, d.adopted else { return forest }
        record.metrics = d.tunedMetrics
        if !record.metricsByStage.isEmpty { record.metricsByStage[record.metricsByStage.count - 1] = d.tunedMetrics }
        return try forest.deciding(with: d.weights(for: forest.classes))
    }

    /// The candidate weights of each class but the first: 2^(i/4), i in −12…12 (⅛ to 8).
    static let grid: [Float] = (-12...12).map { Float(exp2(Double($0) / 4)) }

    /// Tunes on every fold of `predictions` (the weights a model would use) and scores the tuning
    /// by cross-fitting. Nil with fewer than two folds or two classes (nothing to check it on).
    public static func tune(_ predictions: HeldOutPredictions) -> DecisionTuning? {
        let k = predictions.classes.count, foldCount = predictions.folds.count
        guard k >= 2, foldCount >= 2 else { return nil }
        guard let plain = RecipeSelection.score(predictions.metrics) else { return nil }
        var crossFitted = ConfusionMatrix(classes: predictions.classes)
        for f in 0..<foldCount {
            let others = (0..<foldCount).filter { $0 != f }
            let w = bestWeights(predictions, folds: others)
            crossFitted.add(predictions.matrix(weights: w, folds: [f]))
        }
        let tunedMetrics = crossFitted.metrics
        let final = bestWeights(predictions, folds: Array(0..<foldCount))
        var byClass: [Int: Double] = [:]
        for (c, id) in predictions.classes.enumerated() { byClass[id] = Double(final[c]) }
        return DecisionTuning(weights: byClass, plainScore: plain, tunedScore: RecipeSelection.score(tunedMetrics) ?? 0,
                              tunedMetrics: tunedMetrics)
    }

    /// The weights of the grid with the best mean F1 on `folds`: exhaustive for two classes,
    /// coordinate ascent (three sweeps) for more. Ties keep the weight nearest 1.
    static func bestWeights(_ predictions: HeldOutPredictions, folds: [Int]) -> [Float] {
        let k = predictions.classes.count
        var w = [Float](repeating: 1, count: k)
        func score(_ w: [Float]) -> Double {
            let m = predictions.matrix(weights: w, folds: folds)
            return m.total > 0 ? (RecipeSelection.score(m.metrics) ?? 0) : 0
        }
        var best = score(w)
        // The grid by distance from 1, so a tie keeps the smaller change.
        let order = grid.sorted { abs(log2($0)) < abs(log2($1)) }
        for _ in 0..<(k == 2 ? 1 : 3) {
            var changed = false
            for c in 1..<k {
                let current = w[c]
                var bestValue = current
                for g in order where g != current {
                    w[c] = g
                    let s = score(w)
                    if s > best + 1e-12 {
                        best = s
                        bestValue = g
                        changed = true
                    }
                }
                w[c] = bestValue
            }
            if !changed { break }
        }
        return w
    }
}
