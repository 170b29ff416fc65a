import Foundation
import TrowelML
import TrowelVolume

/// Clean-up of connected components (drop small ones of a class, or keep only its largest) as a
/// training-time choice: each fold's forest predicts its held-out slices whole, every candidate
/// step cleans those slices (in 2D), and the held-out voxels are scored. A step is kept only when
/// steps chosen on the other folds also score better on each fold (cross-fitting, as
/// `DecisionTuning` does). Keeping the largest component suits one structure (a lesion, one bone)
/// and wrecks many (nuclei, grains); the held-out score tells which a project is.
public struct CleanupTuning: Codable, Sendable, Equatable {
    /// One candidate clean-up of one class.
    public struct Step: Codable, Sendable, Equatable, CustomStringConvertible {
        public var classID: Int
        /// The class removed voxels become.
        public var backgroundID: Int
        /// Components with fewer voxels (in a slice) are removed; nil: not this step.
        public var minimumVoxels: Int?
        /// Only this many largest components stay; nil: not this step.
        public var keepLargest: Int?

        enum CodingKeys: String, CodingKey {
            case classID = "class", backgroundID = "background", minimumVoxels = "min_size", keepLargest = "keep_largest"
        }

        public var postProcessing: PostProcessing {
            PostProcessing(classID: UInt8(classID), backgroundID: UInt8(backgroundID), minimumVoxels: minimumVoxels, keepLargest: keepLargest)
        }

        public var description: String {
            if let k = keepLargest { return "keep the largest \(k == 1 ? "component" : "\(k) components") of class \(classID)" }
            return "drop components of class \(classID) under \(minimumVoxels ?? 0) voxels"
        }
    }

    /// The step that scored best over every fold; nil when none beat leaving the slices as they are.
    public var step: Step?
    /// Mean held-out F1 of the whole-slice predictions left as they are.
    public var plainScore: Double
    /// Mean held-out F1 when each fold is cleaned with the step chosen on the other folds.
    public var tunedScore: Double
    /// The step each fold was scored with ("none" where leaving it was best).
    public var foldSteps: [String]
    /// Mean held-out F1 of every candidate over all folds, by description ("none" for no step).
    public var candidates: [String: Double]
    /// Whether a model's segmentation should be cleaned with `step`.
    public var adopted: Bool { step != nil && tunedScore > plainScore }

    enum CodingKeys: String, CodingKey {
        case step, plainScore = "plain_mean_f1", tunedScore = "tuned_mean_f1", foldSteps = "fold_steps", candidates
    }

    /// Component sizes tried for dropping small ones (voxels of one slice).
    static let minimumSizes = [16, 64, 256, 1024]
    /// Held-out slices predicted per fold, at most (spread evenly).
    static let slicesPerFold = 8

    /// The candidate steps for `classes` (ids ascending): for each class, drop small components
    /// or keep the largest, removed voxels going to the other class with the most labels.
    static func candidates(classes: [Int], counts: [Int: Int]) -> [Step] {
        var out: [Step] = []
        for c in classes {
            guard let background = classes.filter({ $0 != c }).max(by: { (counts[$0] ?? 0, -$0) < (counts[$1] ?? 0, -$1) }) else { continue }
            out += minimumSizes.map { Step(classID: c, backgroundID: background, minimumVoxels: $0, keepLargest: nil) }
            out.append(Step(classID: c, backgroundID: background, minimumVoxels: nil, keepLargest: 1))
        }
        return out
    }

    /// Tunes on `predictions`, whose folds keep their forests and indices into their labelled set;
    /// `priors[f]` (when given) is mixed into fold f's predictions as the model's walker prior is.
    /// Nil with fewer than two such folds or two classes.
    public static func tune(_ predictions: HeldOutPredictions, volume: MultiscaleVolume, priors: [WalkerPrior.Applied?] = [],
                            isCancelled: () -> Bool = { false }) throws -> CleanupTuning? {
        guard let set = predictions.labelled, predictions.classes.count >= 2 else { return nil }
        let folds = predictions.folds.filter { $0.forest != nil && $0.indices.count == $0.truth.count && !$0.indices.isEmpty }
        guard folds.count >= 2, folds.count == predictions.folds.count else { return nil }
        let steps = candidates(classes: predictions.classes, counts: set.countsByClass)
        // matrices[f][s]: fold f scored after step s (s = 0: none).
        var matrices: [[ConfusionMatrix]] = []
        for (f, fold) in folds.enumerated() {
            var bySlice: [Int: [Int]] = [:]
            for (row, i) in fold.indices.enumerated() { bySlice[set.voxels[i].z, default: []].append(row) }
            let slices = bySlice.keys.sorted()
            let chosen = slices.count <= slicesPerFold ? slices
                : (0..<slicesPerFold).map { slices[$0 * (slices.count - 1) / (slicesPerFold - 1)] }
            var row = [ConfusionMatrix](repeating: ConfusionMatrix(classes: predictions.classes), count: steps.count + 1)
            let predictor = Predictor(forest: fold.forest!, volume: volume, prior: f < priors.count ? priors[f] : nil)
            for z in chosen {
                if isCancelled() { throw LearningError.cancelled }
                let box = Box.slice(axis: .z, at: z, of: volume.shape)
                let labels = try predictor.labels(box)
                let rows = bySlice[z]!
                let truth = rows.map { fold.truth[$0] }
                func read(_ block: Block<UInt8>) -> [UInt8] {
                    rows.map { r in let v = set.voxels[fold.indices[r]]; return block[0, v.y, v.x] }
                }
                row[0].add(truth: truth, predicted: read(labels))
                for (s, step) in steps.enumerated() {
                    var cleaned = labels
                    try step.postProcessing.apply(to: &cleaned)
                    row[s + 1].add(truth: truth, predicted: read(cleaned))
                }
            }
            matrices.append(row)
        }
        let chooser = CrossFittedChoice(matrices: matrices, classes: predictions.classes)
        let choice = chooser.choose()
        let all = Array(folds.indices)
        func name(_ s: Int) -> String { s == 0 ? "none" : steps[s - 1].description }
        var table: [String: Double] = [:]
        for s in 0...steps.count { table[name(s)] = chooser.score(s, on: all) }
        return CleanupTuning(step: choice.final == 0 ? nil : steps[choice.final - 1], plainScore: chooser.score(0, on: all),
                             tunedScore: RecipeSelection.score(choice.crossFitted) ?? 0, foldSteps: choice.perFold.map(name),
                             candidates: table)
    }
}
