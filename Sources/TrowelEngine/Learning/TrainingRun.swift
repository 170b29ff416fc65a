import Foundation
import TrowelML
import TrowelVolume

/// The whole train step, used by `trowel train` AND by the TUI's background trainer: gather the
/// labels, compute (cached) features, cross-validate without leakage, train on everything, save.
public struct TrainingRun: Sendable {
    public let project: Project
    public let volume: MultiscaleVolume
    public let spec: FeatureSpec
    public let configuration: ForestConfiguration
    public let cache: FeatureCache
    /// Cross-validation folds.
    public var folds = 3
    /// False skips cross-validation (metrics nil), e.g. for a first quick overlay; CV costs about
    /// `folds` × the training time. A cascade always validates (its folds train it).
    public var crossValidates = true
    /// Held-out predictions already made on these labels (by `RecipeSelection`): a one-stage run
    /// scores (and tunes) with them instead of cross-validating again.
    public var heldOut: HeldOutPredictions?
    /// Tune per-class decision weights on the held-out predictions, kept when cross-fitting shows
    /// they raise the mean F1 (`DecisionTuning`). `trowel train` and the viewer do; off by default
    /// so that a run is the plain forest unless asked.
    public var tunesDecision = false
    /// After training, tune a random walker prior on the held-out predictions (`WalkerPrior`);
    /// when it is adopted the decision weights are not tuned (they were tuned for the forest alone).
    public var tunesWalkerPrior = false
    /// How that walker is solved.
    public var walkerSettings = WalkerField.Settings()
    /// Autocontext stages (1: a single forest); see `AutocontextTraining`.
    public var stages = 1
    /// Scales of the smoothed probabilities each later stage adds.
    public var contextSigmas = Autocontext.defaultSigmas
    /// The recipe's name, kept with the model (empty when the run was built from a spec).
    public var recipeName = ""

    public init(project: Project, volume: MultiscaleVolume, spec: FeatureSpec, configuration: ForestConfiguration,
                cache: FeatureCache? = nil) {
        self.project = project
        self.volume = volume
        self.spec = spec
        self.configuration = configuration
        // A cache for another spec would hand back the wrong features.
        self.cache = cache.flatMap { $0.spec == spec ? $0 : nil } ?? FeatureCache(volume: volume, spec: spec)
    }

    /// A run of `recipe` on the project's scan (its normalisation from the scan's recorded percentiles).
    public init(project: Project, volume: MultiscaleVolume, recipe: TrainingRecipe = .standard,
                cache: FeatureCache? = nil) throws {
        self.init(project: project, volume: volume, spec: try recipe.spec(for: project, volume: volume),
                  configuration: recipe.forest, cache: cache)
        stages = recipe.stages
        contextSigmas = recipe.contextSigmas
        recipeName = recipe.name
    }

    /// The gap between held-out and training voxels of a cascade's folds.
    public var autocontextGap: Int { stages > 1 ? autocontext.gap : spec.halo }

    /// The cascade trainer for this run's features (for `stages` ≥ 2).
    var autocontext: AutocontextTraining {
        var training = AutocontextTraining(volume: volume, spec: spec, configuration: configuration, stages: stages,
                                           sigmas: contextSigmas)
        training.folds = folds
        return training
    }

    /// Held-out scores for the labels as they are now (features from the cache): the validation step
    /// of `run`, on its own, so a model can be shown at once and scored afterwards.
    public func validate(progress: (Double) -> Void = { _ in }, isCancelled: () -> Bool = { false }) throws -> Metrics? {
        try predictHeldOut(progress: progress, isCancelled: isCancelled)?.metrics
    }

    /// The held-out predictions `validate` scores (the last stage's for a cascade).
    public func predictHeldOut(progress: (Double) -> Void = { _ in }, isCancelled: () -> Bool = { false }) throws -> HeldOutPredictions? {
        let set = try LabelledSet.gather(from: project, shape: volume.shape)
        let table = try project.classes().map { ClassInfo(id: UInt8($0.id), name: $0.name) }
        guard set.countsByClass.count >= 2 else { return nil }
        let features = try cache.features(at: set.voxels)
        if stages > 1 {
            let result = try autocontext.run(set, features: features, classes: table, trainsFinal: false,
                                             progress: progress, isCancelled: isCancelled)
            return result.heldOut
        }
        return try crossValidate(set, features: features, classes: table, progress: progress, isCancelled: isCancelled)
    }

    /// Leakage-aware CV: the feature radius in the plane; across slices 1 for 2D features, the radius for 3D.
    private func crossValidate(_ set: LabelledSet, features: [Float], classes: [ClassInfo], progress: (Double) -> Void,
                               isCancelled: () -> Bool) throws -> HeldOutPredictions? {
        try CrossValidation.predictHeldOut(set, features: features, featureCount: spec.featureCount, spec: spec,
                                     configuration: configuration, classes: classes, gap: spec.halo,
                                     sliceGap: spec.dimensionality == .planar ? 1 : spec.halo, folds: folds,
                                     progress: progress, isCancelled: isCancelled)
    }

    /// Gathers labels, computes (cached) features, cross-validates, trains on everything, saves a checkpoint.
    /// `progress(phase, fraction)` phases: "labels", "features", "validation", "training", "walker" (when tuning a walker prior), "saving".
    /// `isCancelled` is polled between phases (and between folds); a cancelled run throws `LearningError.cancelled`.
    public func run(progress: (String, Double) -> Void = { _, _ in },
                    isCancelled: () -> Bool = { false }) throws -> (RandomForest, ModelRecord) {
        func checkpoint() throws { if isCancelled() { throw LearningError.cancelled } }
        try spec.validate()
        progress("labels", 0)
        let projectRecord = try project.record()
        let set = try LabelledSet.gather(from: project, shape: volume.shape)
        guard !set.isEmpty else { throw LearningError.noLabels }
        let table = try project.classes().map { ClassInfo(id: UInt8($0.id), name: $0.name) }
        guard set.countsByClass.count >= 2 else {
            let id = set.countsByClass.keys.first ?? 0
            throw LearningError.oneClass(table.first { Int($0.id) == id }?.name ?? "class \(id)")
        }
        progress("labels", 1)
        try checkpoint()

        progress("features", 0)
        let features = try cache.features(at: set.voxels) { progress("features", $0) }
        progress("features", 1)
        try checkpoint()

        var forest: RandomForest
        let metrics: Metrics?
        let predictions: HeldOutPredictions?
        var metricsByStage: [Metrics?] = []
        let seconds: Double
        if stages > 1 {
            // The cascade's folds are its validation and part of its training.
            progress("training", 0)
            let started = Date()
            let result = try autocontext.run(set, features: features, classes: table, trainsFinal: true,
                                             progress: { progress("training", $0) }, isCancelled: isCancelled)
            seconds = Date().timeIntervalSince(started)
            guard let trained = result.forest else { throw LearningError.autocontextNeedsFolds }
            forest = trained
            metricsByStage = result.metricsByStage
            metrics = metricsByStage.last ?? nil
            predictions = result.heldOut
            progress("training", 1)
        } else {
            progress("validation", 0)
            predictions = try heldOut ?? (!crossValidates ? nil : crossValidate(
                set, features: features, classes: table, progress: { progress("validation", $0) }, isCancelled: isCancelled))
            metrics = predictions?.metrics
            progress("validation", 1)
            try checkpoint()

            progress("training", 0)
            let started = Date()
            let samples = try TrainingSamples(featureCount: spec.featureCount, features: features, labels: set.labels)
            forest = try RandomForest.train(on: samples, spec: spec, classTable: table, configuration: configuration)
            seconds = Date().timeIntervalSince(started)
            progress("training", 1)
        }
        try checkpoint()

        progress("saving", 0)
        let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        let fingerprint = set.fingerprint
        var record = ModelRecord(
            id: ModelLibrary.makeID(date: now, fingerprint: fingerprint), createdAt: now, spec: spec,
            configuration: configuration, classes: forest.classes, trainingVoxels: set.count,
            countsByClass: set.countsByClass, strokeIDs: set.strokeIDs, metrics: metrics, oobError: forest.oobError,
            voxelSize: projectRecord.voxelSize.array, fingerprint: fingerprint, trainingSeconds: seconds)
        record.stages = forest.stageCount
        record.recipe = recipeName
        record.metricsByStage = metricsByStage
        var field: WalkerField?
        if tunesWalkerPrior, let predictions {
            progress("walker", 0)
            if let (prior, solved) = try WalkerPrior.tuneAndSolve(predictions, volume: volume, record: projectRecord, settings: walkerSettings,
                                                                  isCancelled: isCancelled) {
                record.walkerPrior = prior
                field = solved
                if solved != nil, let m = prior.tunedMetrics {
                    record.metrics = m
                    if !record.metricsByStage.isEmpty { record.metricsByStage[record.metricsByStage.count - 1] = m }
                }
            }
            progress("walker", 1)
            try checkpoint()
        }
        if tunesDecision && field == nil { forest = try DecisionTuning.decide(forest, record: &record, from: predictions) }
        try ModelLibrary(project: project).save(forest, record: record, walker: field)
        progress("saving", 1)
        return (forest, record)
    }
}
