import Foundation
import TrowelML
import TrowelVolume

/// `trowel train --auto`: each candidate recipe is cross-validated on the project's labels with
/// the same leakage-aware folds as every model, and the one with the best held-out score wins.
/// The score is the mean F1 over the labelled classes, so a rare class counts as much as a common one.
public struct RecipeSelection: Sendable {
    /// One candidate's held-out result.
    public struct Candidate: Sendable, Encodable {
        public var recipe: TrainingRecipe
        /// Mean held-out F1 over the classes; nil when the labels are too few to hold any out.
        public var score: Double?
        /// Held-out F1 per class id.
        public var f1ByClass: [Int: Double]
        public var seconds: Double
        /// The held-out metrics the score comes from (not encoded: `f1ByClass` says it).
        public var metrics: Metrics?

        enum CodingKeys: String, CodingKey { case recipe, score, f1ByClass = "f1_by_class", seconds }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(recipe.name, forKey: .recipe)
            try c.encode(score, forKey: .score)
            try c.encode(Dictionary(uniqueKeysWithValues: f1ByClass.map { (String($0.key), $0.value) }), forKey: .f1ByClass)
            try c.encode(seconds, forKey: .seconds)
        }
    }

    public let candidates: [Candidate]
    /// Index into `candidates` of the winner.
    public let chosenIndex: Int
    /// The winner's run, whose feature cache already holds the labelled voxels' features and
    /// which records the held-out metrics the comparison measured instead of measuring them again.
    public let chosenRun: TrainingRun

    public var chosen: TrainingRecipe { candidates[chosenIndex].recipe }

    /// How far the winner's score is above the runner-up's (nil without two scores).
    public var margin: Double? {
        let scores = candidates.compactMap(\.score).sorted(by: >)
        return scores.count >= 2 ? scores[0] - scores[1] : nil
    }

    /// The score candidates are compared by: mean held-out F1 over the classes (nil without metrics).
    public static func score(_ metrics: Metrics?) -> Double? {
        guard let metrics, !metrics.perClass.isEmpty else { return nil }
        return metrics.perClass.values.map(\.f1).reduce(0, +) / Double(metrics.perClass.count)
    }

    /// Cross-validates every recipe of `recipes` (in order; ties go to the earlier one) and picks
    /// the best. With no candidate scorable (labels on one slice only, say) the first recipe wins.
    /// `cache(recipe, spec)` may hand back a feature cache kept from an earlier selection.
    /// `progress(recipe index, fraction)`; `isCancelled` is polled between folds.
    public static func choose(project: Project, volume: MultiscaleVolume, among recipes: [TrainingRecipe],
                              folds: Int = 3, cache: (TrainingRecipe, FeatureSpec) -> FeatureCache? = { _, _ in nil },
                              progress: (Int, Double) -> Void = { _, _ in },
                              isCancelled: () -> Bool = { false }) throws -> RecipeSelection {
        precondition(!recipes.isEmpty, "RecipeSelection: no candidates")
        var candidates: [Candidate] = []
        var runs: [TrainingRun] = []
        var best = 0
        var bestPredictions: HeldOutPredictions?
        for (i, recipe) in recipes.enumerated() {
            if isCancelled() { throw LearningError.cancelled }
            let started = Date()
            let spec = try recipe.spec(for: project, volume: volume)
            var run = try TrainingRun(project: project, volume: volume, recipe: recipe, cache: cache(recipe, spec))
            run.folds = folds
            runs.append(run)
            let predictions: HeldOutPredictions?
            do {
                predictions = try run.predictHeldOut(progress: { progress(i, $0) }, isCancelled: isCancelled)
            } catch LearningError.autocontextNeedsFolds {
                predictions = nil   // a cascade the labels cannot train out of fold is not a candidate
            }
            let metrics = predictions?.metrics
            let f1 = metrics.map { Dictionary(uniqueKeysWithValues: $0.perClass.map { ($0.key, $0.value.f1) }) } ?? [:]
            candidates.append(Candidate(recipe: recipe, score: score(metrics), f1ByClass: f1,
                                        seconds: Date().timeIntervalSince(started), metrics: metrics))
            // Only the best candidate's predictions are kept: they can be as large as the labels.
            if i == 0 || (candidates[i].score ?? -1) > (candidates[best].score ?? -1) {
                best = i
                bestPredictions = predictions
            }
        }
        var chosenRun = runs[best]
        chosenRun.heldOut = bestPredictions
        return RecipeSelection(candidates: candidates, chosenIndex: best, chosenRun: chosenRun)
    }
}
