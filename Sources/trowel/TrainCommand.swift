import ArgumentParser
import Foundation
import TrowelEngine
import TrowelML
import TrowelVolume

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a model on the project's labels, cross-validate it and save a checkpoint.",
        discussion: """
            Runs the same training step as the viewer: features at the labelled voxels, leakage-aware \
            cross-validation (whole annotated slices held out, no training voxel within the feature \
            radius), a forest on all labels, saved as models/<id>.forest and <id>.json. Unless feature \
            options are given, it first cross-validates the candidate configurations (the default \
            recipe, its two-stage autocontext, ilastik's bank, 3D features, per-slice windows) and trains the one with the \
            best held-out F1. Prints the model id and the cross-validated metrics; the out-of-bag error \
            is optimistic.
            """
    )

    @Argument(help: "The project folder.")
    var project: String

    @Option(help: "Trees in the forest.")
    var trees = TrainingRecipe.standard.forest.treeCount

    @Option(help: "Maximum tree depth.")
    var depth = TrainingRecipe.standard.forest.maxDepth

    @Option(help: "Feature bank: basic (scikit-image's: Gaussian, gradient, Hessian) or ilastik (adds LoG, DoG, structure tensor).")
    var features: TrainingRecipe.Bank?

    @Option(help: "Largest Gaussian scale σ, or min:max (e.g. 1:32; default 0.5:16 for basic, 0.7:10 for ilastik).")
    var sigma: String?

    @Flag(inversion: .prefixedNo, help: "The raw, unsmoothed voxel value as one more feature (default: on).")
    var raw: Bool?

    @Flag(name: .customLong("3d"), help: "Volumetric features (default: 2D, within each slice).")
    var volumetric = false

    @Option(help: "Voxel scaling: percentiles (the scan's 0.5–99.5 % to 0…1, clipped; default), slice-percentiles (each slice's own, for brightness that drifts along z) or dtype (u8 / 255, as scikit-image).")
    var scaling: TrainingRecipe.Scaling?

    @Option(help: "Class weights: uniform (default; measured best on real CT) or balanced (more recall on a rare class, less precision).")
    var classWeights: ForestConfiguration.ClassWeighting = TrainingRecipe.standard.forest.classWeighting

    @Option(help: "Training samples kept at most (stratified subsample; the viewer keeps 100 000 so a stroke's model shows in about a second).")
    var maxSamples = TrainingRecipe.headlessSampleCap

    @Option(help: "Cross-validation folds.")
    var folds = 3

    @Option(help: "Autocontext stages: 1 (one forest; default) or 2–3 (each later forest also reads the earlier one's smoothed probabilities, trained out of fold).")
    var stages: Int?

    @Flag(inversion: .prefixedNo, help: "Cross-validate the candidate configurations (banks, 2D/3D, autocontext, per-slice windows) and train the one with the best held-out F1. The default unless a feature option (--features, --sigma, --raw, --3d, --scaling, --stages) is given; --no-auto trains the default recipe alone.")
    var auto: Bool?

    @Flag(inversion: .prefixedNo, help: "Tune per-class weights on the probabilities by held-out F1 (kept only when weights tuned on the other folds score better on each fold; default: on). --no-tune-decision keeps the most probable class.")
    var tuneDecision = true

    @Flag(inversion: .prefixedNo, help: "Try the random walker from the labelled slices as a prior (its weight tuned on held-out slices with walkers seeded by the other slices; kept only when that scores better on each fold; default: on). When it is kept the decision weights are not tuned.")
    var walkerPrior = true

    @Flag(inversion: .prefixedNo, help: "Tune a clean-up of connected components (drop small ones of a class, or keep its largest) on the held-out slices, kept only when steps chosen on the other folds score better on each fold; trowel segment then also writes the cleaned segmentation (default: on).")
    var tuneCleanup = true

    @Flag(help: "Print one JSON object.")
    var json = false

    func validate() throws {
        guard trees > 0 else { throw ValidationError("--trees must be positive") }
        guard depth >= 0 else { throw ValidationError("--depth must not be negative") }
        guard maxSamples > 0 else { throw ValidationError("--max-samples must be positive") }
        guard folds >= 2 else { throw ValidationError("--folds must be at least 2") }
        if let stages, !(1...3).contains(stages) { throw ValidationError("--stages must be 1, 2 or 3") }
        if auto == true && choosesFeatures {
            throw ValidationError("--auto chooses the features itself; drop --features, --sigma, --raw, --3d, --scaling and --stages, or drop --auto")
        }
        _ = try recipe()
    }

    /// True when an option says which features to use, so there is nothing for `--auto` to choose.
    var choosesFeatures: Bool {
        features != nil || sigma != nil || raw != nil || volumetric || scaling != nil || stages != nil
    }

    /// Whether the candidates are compared: asked for, or nothing chosen by hand.
    var selects: Bool { auto ?? !choosesFeatures }

    /// The recipe the options describe.
    func recipe() throws -> TrainingRecipe {
        let raw = self.raw ?? TrainingRecipe.standard.includesRaw
        let stages = self.stages ?? 1
        var r = features == .ilastik
            ? TrainingRecipe(name: "ilastik", bank: .ilastik, sigmaMin: 0.7, sigmaMax: 10)
            : TrainingRecipe.standard
        if let sigma {
            let parts = sigma.split(separator: ":").map { Double($0.trimmingCharacters(in: .whitespaces)) }
            switch parts.count {
            case 1 where (parts[0] ?? 0) >= r.sigmaMin: r.sigmaMax = parts[0]!
            case 2 where parts[0] != nil && parts[1] != nil && parts[0]! > 0 && parts[1]! >= parts[0]!:
                (r.sigmaMin, r.sigmaMax) = (parts[0]!, parts[1]!)
            default: throw ValidationError("--sigma \(sigma): give σmax (e.g. 16) or σmin:σmax (e.g. 0.5:32)")
            }
        }
        if r.sigmas.isEmpty {
            throw ValidationError("--sigma \(sigma ?? ""): no ilastik scale (\(TrainingRecipe.ilastikScales.map { "\($0)" }.joined(separator: ", "))) lies in that range")
        }
        r.includesRaw = raw
        r.dimensionality = volumetric ? .volumetric : .planar
        r.scaling = scaling ?? TrainingRecipe.standard.scaling
        r.forest.treeCount = trees
        r.forest.maxDepth = depth
        r.forest.maxSamples = maxSamples
        r.forest.classWeighting = classWeights
        r.stages = stages
        let s = r.sigmas.map(FeatureSpec.label)
        r.name = "\(r.bank.rawValue) σ\(s.first!)–\(s.last!)\(raw ? " +raw" : "")\(volumetric ? " 3D" : "")"
            + (classWeights == .balanced ? " balanced" : "") + (r.scaling == .slicePercentiles ? " per-slice" : "")
            + (stages > 1 ? " autocontext×\(stages)" : "")
        return r
    }

    func run() throws {
        try reportingErrors {
            let project = try Project.open(at: URL(fileURLWithPath: self.project))
            try project.requireWritable(for: "training (models are saved in it)")
            let volume = try MultiscaleVolume.open(at: project.volumeURL)
            Interrupts.install()
            // One training per project at a time: wait for a viewer's or another command's.
            guard let lock = try TrainingLock.acquire(project: project, isCancelled: { Interrupts.isInterrupted }, waiting: { holder in
                FileHandle.standardError.write(Data("waiting for \(holder) to finish training…\n".utf8))
            }) else { throw ExitCode(130) }
            defer { withExtendedLifetime(lock) {} }
            let started = Date()
            var recipe = try recipe()
            var selection: RecipeSelection?
            if selects {
                // The user's forest options apply to every candidate.
                let candidates = TrainingRecipe.candidates.map { c -> TrainingRecipe in
                    var c = c
                    c.forest = recipe.forest
                    return c
                }
                let chosen = try RecipeSelection.choose(project: project, volume: volume, among: candidates, folds: folds,
                                                        progress: { i, fraction in
                    Terminal.showProgress(String(format: "comparing %@ (%d/%d) %3.0f%%", candidates[i].name, i + 1,
                                                 candidates.count, fraction * 100))
                }, isCancelled: { Interrupts.isInterrupted })
                Terminal.clearProgressLine()
                recipe = chosen.chosen
                selection = chosen
            }
            var run = try selection?.chosenRun ?? TrainingRun(project: project, volume: volume, recipe: recipe)
            run.folds = folds
            run.tunesDecision = tuneDecision
            run.tunesWalkerPrior = walkerPrior
            run.tunesCleanup = tuneCleanup
            let (_, record) = try run.run(progress: { phase, fraction in
                Terminal.showProgress(String(format: "training: %@ %3.0f%%", phase, fraction * 100))
            }, isCancelled: { Interrupts.isInterrupted })
            Terminal.clearProgressLine()
            let seconds = Date().timeIntervalSince(started)
            let names = Dictionary(uniqueKeysWithValues: try project.classes().map { ($0.id, $0.name) })
            let spec = run.spec
            if json {
                let report = TrainReport(record: record, recipe: recipe, spec: spec, seconds: seconds, names: names,
                                         selection: selection)
                print(try JSONOutput.text(report))
            } else {
                if let selection {
                    print("compared \(selection.candidates.count) configurations by held-out mean F1 over the classes:")
                    let width = selection.candidates.map(\.recipe.name.count).max() ?? 0
                    for (i, c) in selection.candidates.enumerated() {
                        let score = c.score.map { String(format: "%.4f", $0) } ?? "not scorable"
                        print(String(format: "  %@ %@  %@ (%.1f s)", i == selection.chosenIndex ? "→" : " ",
                                     c.recipe.name.padding(toLength: width, withPad: " ", startingAt: 0), score, c.seconds))
                    }
                    if let margin = selection.margin {
                        print(String(format: "chose %@, %.4f above the next best", selection.chosen.name, margin))
                    } else {
                        print("chose \(selection.chosen.name): label a second slice of each class so the candidates can be scored")
                    }
                }
                let counts = record.countsByClass.sorted { $0.key < $1.key }
                    .map { "\(names[$0.key] ?? "class \($0.key)") \($0.value)" }.joined(separator: ", ")
                print("model \(record.id): \(record.trainingVoxels) labelled voxels (\(counts)), \(spec.description)")
                print(String(format: "trained in %.2f s (%.2f s in all)", record.trainingSeconds, seconds))
                if record.stages > 1 {
                    let steps = record.metricsByStage.enumerated().map { i, m in
                        "stage \(i + 1) " + (RecipeSelection.score(m).map { String(format: "%.4f", $0) } ?? "not scored")
                    }
                    print("autocontext, \(record.stages) stages; held-out mean F1: \(steps.joined(separator: " → "))")
                }
                if let w = record.walkerPrior {
                    print(w.adopted
                          ? String(format: "random walker prior, weight %.1f: held-out mean F1 %.4f → %.4f (tuned on the other folds)",
                                   w.weight, w.plainScore, w.tunedScore)
                          : String(format: "random walker prior: not used (it scored %.4f against %.4f held out)", w.tunedScore, w.plainScore))
                }
                if let c = record.cleanup {
                    print(c.adopted
                          ? String(format: "clean-up: %@: held-out mean F1 %.4f → %.4f (chosen on the other folds); trowel segment writes it as <model>-cleaned",
                                   c.step!.description, c.plainScore, c.tunedScore)
                          : String(format: "clean-up: none (the best step scored %.4f against %.4f held out)", c.tunedScore, c.plainScore))
                }
                if let d = record.decision {
                    let weights = d.weights.sorted { $0.key < $1.key }
                        .map { String(format: "%@ ×%.2f", names[$0.key] ?? "class \($0.key)", $0.value) }.joined(separator: ", ")
                    print(d.adopted
                          ? String(format: "decision weights %@: held-out mean F1 %.4f → %.4f (tuned on the other folds)", weights, d.plainScore, d.tunedScore)
                          : String(format: "decision: most probable class (tuned weights scored %.4f against %.4f held out)", d.tunedScore, d.plainScore))
                }
                if let m = record.metrics {
                    print("cross-validated over \(m.evaluatedVoxels) voxels (held-out slices, gap \(record.stages > 1 ? run.autocontextGap : spec.halo) voxels):")
                    print(MetricsText.table(m, names: names))
                } else {
                    print("not cross-validated: label a second slice (or a larger region) of each class")
                }
                if let oob = record.oobError { print(String(format: "out-of-bag error %.4f (optimistic)", oob)) }
            }
        }
    }
}

extension TrainingRecipe.Bank: ExpressibleByArgument {}
extension TrainingRecipe.Scaling: ExpressibleByArgument {
    public init?(argument: String) {
        switch argument {
        case "percentiles": self = .percentiles
        case "slice-percentiles", "slices": self = .slicePercentiles
        case "dtype", "dtype-range": self = .dtypeRange
        default: return nil
        }
    }
}
extension ForestConfiguration.ClassWeighting: ExpressibleByArgument {}

/// `trowel train --json`: the model, what it learned from, its held-out scores and, with `--auto`,
/// every candidate's score.
struct TrainReport: Encodable {
    struct ClassScore: Encodable {
        var precision, recall, f1, jaccard, accuracy: Double
        var support: Int
    }
    struct Auto: Encodable {
        var candidates: [RecipeSelection.Candidate]
        var chosen: String
        var margin: Double?
    }

    var model: String
    var recipe: String
    var features: String
    var trainingVoxels: Int
    var counts: [String: Int]
    var seconds: Double
    var trainingSeconds: Double
    @NullWhenAbsent var oobErrorOptimistic: Double?
    @NullWhenAbsent var metrics: [String: ClassScore]? = nil
    var accuracy: Double?
    var validatedVoxels: Int?
    var stages: Int
    /// Held-out F1 per class name of each stage of a cascade (empty for one stage).
    var f1ByStage: [[String: Double]?]
    var auto: Auto?
    /// The tuned decision weights by class name and their held-out scores (absent when not tuned).
    var decision: Decision?
    /// The random walker prior's weight and held-out scores (absent when not tuned).
    var walkerPrior: WalkerPriorReport?
    /// The clean-up step tuned on the held-out slices (absent when not tuned).
    var cleanup: CleanupTuning?

    struct WalkerPriorReport: Encodable {
        var weight: Double
        var plainMeanF1: Double
        var tunedMeanF1: Double
        var foldWeights: [Double]
        var adopted: Bool

        enum CodingKeys: String, CodingKey {
            case weight, plainMeanF1 = "plain_mean_f1", tunedMeanF1 = "tuned_mean_f1", foldWeights = "fold_weights", adopted
        }
    }

    struct Decision: Encodable {
        var weights: [String: Double]
        var plainMeanF1: Double
        var tunedMeanF1: Double
        var adopted: Bool

        enum CodingKeys: String, CodingKey {
            case weights, plainMeanF1 = "plain_mean_f1", tunedMeanF1 = "tuned_mean_f1", adopted
        }
    }

    enum CodingKeys: String, CodingKey {
        case model, recipe, features, trainingVoxels = "training_voxels", counts, seconds, trainingSeconds = "training_seconds"
        case oobErrorOptimistic = "oob_error_optimistic", metrics, accuracy, validatedVoxels = "validated_voxels", auto
        case stages, f1ByStage = "f1_by_stage", decision, walkerPrior = "walker_prior", cleanup
    }

    init(record: ModelRecord, recipe: TrainingRecipe, spec: FeatureSpec, seconds: Double, names: [Int: String],
         selection: RecipeSelection?) {
        model = record.id
        self.recipe = recipe.name
        features = spec.description
        trainingVoxels = record.trainingVoxels
        counts = Dictionary(uniqueKeysWithValues: record.countsByClass.map { (names[$0.key] ?? "class \($0.key)", $0.value) })
        self.seconds = seconds
        trainingSeconds = record.trainingSeconds
        oobErrorOptimistic = record.oobError
        if let m = record.metrics {
            metrics = Dictionary(uniqueKeysWithValues: m.perClass.map { id, c in
                (names[id] ?? "class \(id)", ClassScore(precision: c.precision, recall: c.recall, f1: c.f1, jaccard: c.jaccard,
                                                        accuracy: c.accuracy, support: c.support))
            })
            accuracy = m.overallAccuracy
            validatedVoxels = m.evaluatedVoxels
        }
        auto = selection.map { Auto(candidates: $0.candidates, chosen: $0.chosen.name, margin: $0.margin) }
        decision = record.decision.map { d in
            Decision(weights: Dictionary(uniqueKeysWithValues: d.weights.map { (names[$0.key] ?? "class \($0.key)", $0.value) }),
                     plainMeanF1: d.plainScore, tunedMeanF1: d.tunedScore, adopted: d.adopted)
        }
        walkerPrior = record.walkerPrior.map { w in
            WalkerPriorReport(weight: w.weight, plainMeanF1: w.plainScore, tunedMeanF1: w.tunedScore, foldWeights: w.foldWeights,
                              adopted: w.adopted)
        }
        cleanup = record.cleanup
        stages = record.stages
        f1ByStage = record.metricsByStage.map { m in
            m.map { Dictionary(uniqueKeysWithValues: $0.perClass.map { (names[$0.key] ?? "class \($0.key)", $0.value.f1) }) }
        }
    }
}

/// Metrics as a table for people and as JSON objects keyed by class name for scripts.
enum MetricsText {
    static func json(_ m: Metrics, names: [Int: String]) -> [String: Any] {
        Dictionary(uniqueKeysWithValues: m.perClass.map { id, c in
            (names[id] ?? "class \(id)", ["precision": c.precision, "recall": c.recall, "f1": c.f1,
                                          "jaccard": c.jaccard, "accuracy": c.accuracy, "support": c.support] as [String: Any])
        })
    }

    static func table(_ m: Metrics, names: [Int: String]) -> String {
        var lines = ["  class        precision  recall     f1  jaccard  accuracy   support"]
        for (id, c) in m.perClass.sorted(by: { $0.key < $1.key }) {
            let name = (names[id] ?? "class \(id)").padding(toLength: 12, withPad: " ", startingAt: 0)
            lines.append(String(format: "  %@ %9.3f %7.3f %6.3f %8.3f %9.3f %9d", name, c.precision, c.recall, c.f1,
                                c.jaccard, c.accuracy, c.support))
        }
        lines.append(String(format: "  overall accuracy %.3f over %d voxels", m.overallAccuracy, m.evaluatedVoxels))
        return lines.joined(separator: "\n")
    }

    static func serialize(_ object: [String: Any]) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]),
               as: UTF8.self)
    }
}
