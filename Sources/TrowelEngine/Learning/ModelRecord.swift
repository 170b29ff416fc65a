import Foundation
import TrowelML

/// What a checkpoint is: its id, the features and forest parameters, the classes, the labels it
/// was trained on and how good it was. Written as `models/<id>.json` and a row of `project.sqlite`.
public struct ModelRecord: Codable, Sendable, Equatable {
    /// UTC timestamp + short hash of the exact training samples, e.g. "20261121T064512Z-3fa9c2".
    public var id: String
    public var createdAt: Date
    public var spec: FeatureSpec
    public var configuration: ForestConfiguration
    public var classes: [ClassInfo]
    public var trainingVoxels: Int
    /// Labelled voxels per class id.
    public var countsByClass: [Int: Int]
    /// Strokes (not undone) the labels came from.
    public var strokeIDs: [Int]
    /// Cross-validated metrics; nil when the labels allowed no leakage-free split.
    public var metrics: Metrics?
    /// Out-of-bag error: optimistic, since neighbouring voxels are not independent.
    public var oobError: Double?
    /// Micrometres per voxel, z, y, x.
    public var voxelSize: [Double]
    /// Full 64-bit hash of the training samples.
    public var fingerprint: String
    /// Seconds spent training the final forest (cross-validation excluded).
    public var trainingSeconds: Double
    /// The name of the recipe that made it, e.g. "basic σ0.5–16 +raw autocontext" (empty for older models).
    public var recipe = ""
    /// Stages of the autocontext cascade (1: a single forest).
    public var stages: Int = 1
    /// Cross-validated metrics of each stage of a cascade (the last equals `metrics`); empty for one stage.
    public var metricsByStage: [Metrics?] = []
    /// The decision weights tuned on the held-out predictions, and whether the model uses them
    /// (then `metrics` are the cross-fitted metrics of the tuned decision); nil when not tuned.
    public var decision: DecisionTuning?
    /// The random walker prior tuned on the held-out predictions, and whether the model mixes it
    /// in (then its field is `models/<id>.walker.zarr` and `metrics` are the cross-fitted ones of
    /// the mix); nil when not tuned.
    public var walkerPrior: WalkerPrior?

    public init(id: String, createdAt: Date, spec: FeatureSpec, configuration: ForestConfiguration, classes: [ClassInfo],
                trainingVoxels: Int, countsByClass: [Int: Int], strokeIDs: [Int], metrics: Metrics?, oobError: Double?,
                voxelSize: [Double], fingerprint: String = "", trainingSeconds: Double = 0) {
        self.id = id
        self.createdAt = createdAt
        self.spec = spec
        self.configuration = configuration
        self.classes = classes
        self.trainingVoxels = trainingVoxels
        self.countsByClass = countsByClass
        self.strokeIDs = strokeIDs
        self.metrics = metrics
        self.oobError = oobError
        self.voxelSize = voxelSize
        self.fingerprint = fingerprint
        self.trainingSeconds = trainingSeconds
    }

    /// The class named `name`, if the model knows it.
    public func classID(named name: String) -> UInt8? { classes.first { $0.name == name }?.id }

    enum CodingKeys: String, CodingKey {
        case id, createdAt = "created_at", spec = "features", configuration = "forest", classes
        case trainingVoxels = "training_voxels", countsByClass = "counts_by_class", strokeIDs = "stroke_ids"
        case metrics = "cross_validation", oobError = "oob_error_optimistic", voxelSize = "voxel_size_um"
        case fingerprint = "samples_hash", trainingSeconds = "training_seconds"
        case stages, metricsByStage = "cross_validation_by_stage", recipe, decision, walkerPrior = "walker_prior"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        createdAt = try c.decode(Date.self, forKey: .createdAt)
        spec = try c.decode(FeatureSpec.self, forKey: .spec)
        configuration = try c.decode(ForestConfiguration.self, forKey: .configuration)
        classes = try c.decode([ClassInfo].self, forKey: .classes)
        trainingVoxels = try c.decode(Int.self, forKey: .trainingVoxels)
        countsByClass = try ClassKeyed.decode(try c.decode([String: Int].self, forKey: .countsByClass), in: c, key: .countsByClass)
        strokeIDs = try c.decode([Int].self, forKey: .strokeIDs)
        metrics = try c.decodeIfPresent(Metrics.self, forKey: .metrics)
        oobError = try c.decodeIfPresent(Double.self, forKey: .oobError)
        voxelSize = try c.decode([Double].self, forKey: .voxelSize)
        fingerprint = try c.decodeIfPresent(String.self, forKey: .fingerprint) ?? ""
        trainingSeconds = try c.decodeIfPresent(Double.self, forKey: .trainingSeconds) ?? 0
        stages = try c.decodeIfPresent(Int.self, forKey: .stages) ?? 1
        recipe = try c.decodeIfPresent(String.self, forKey: .recipe) ?? ""
        metricsByStage = try c.decodeIfPresent([Metrics?].self, forKey: .metricsByStage) ?? []
        decision = try c.decodeIfPresent(DecisionTuning.self, forKey: .decision)
        walkerPrior = try c.decodeIfPresent(WalkerPrior.self, forKey: .walkerPrior)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(spec, forKey: .spec)
        try c.encode(configuration, forKey: .configuration)
        try c.encode(classes, forKey: .classes)
        try c.encode(trainingVoxels, forKey: .trainingVoxels)
        try c.encode(ClassKeyed.encode(countsByClass), forKey: .countsByClass)
        try c.encode(strokeIDs, forKey: .strokeIDs)
        try c.encodeIfPresent(metrics, forKey: .metrics)
        try c.encodeIfPresent(oobError, forKey: .oobError)
        try c.encode(voxelSize, forKey: .voxelSize)
        try c.encode(fingerprint, forKey: .fingerprint)
        try c.encode(trainingSeconds, forKey: .trainingSeconds)
        if !recipe.isEmpty { try c.encode(recipe, forKey: .recipe) }
        if stages > 1 {
            try c.encode(stages, forKey: .stages)
            try c.encode(metricsByStage, forKey: .metricsByStage)
        }
        try c.encodeIfPresent(decision, forKey: .decision)
        try c.encodeIfPresent(walkerPrior, forKey: .walkerPrior)
    }
}
