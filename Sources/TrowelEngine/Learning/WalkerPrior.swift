import Foundation
import TrowelML
import TrowelVolume

/// The random walker from the labelled slices as a prior for a forest: inside the walker's region
/// (the labels' z range and in-plane box plus a margin) every voxel's class probabilities become
/// `(1 − weight)·forest + weight·walker`. The walker follows a continuous structure between
/// labelled slices where a forest sees only local texture (a lesion, a bone of matrix-like
/// density); the forest decides where the walker cannot reach. The weight is tuned on the
/// held-out voxels with a walker seeded by the other folds' labels only (so it never sees the
/// voxels it is scored on), and kept only when weights tuned on the other folds also score better
/// on each fold (cross-fitting, as `DecisionTuning` does).
public struct WalkerPrior: Codable, Sendable, Equatable {
    /// The walker's share of the mixed probabilities, 0…1.
    public var weight: Double
    public var settings: WalkerField.Settings
    /// Mean held-out F1 of the forest alone.
    public var plainScore: Double
    /// Mean held-out F1 when each fold is mixed with the weight tuned on the other folds.
    public var tunedScore: Double
    /// The weight each fold was scored with (tuned on the other folds).
    public var foldWeights: [Double]
    /// The cross-fitted metrics behind `tunedScore`.
    public var tunedMetrics: Metrics?
    /// Whether the model uses the walker: only when `tunedScore` beats `plainScore`.
    public var adopted: Bool { weight > 0 && tunedScore > plainScore }

    enum CodingKeys: String, CodingKey {
        case weight, settings, plainScore = "plain_mean_f1", tunedScore = "tuned_mean_f1", foldWeights = "fold_weights", adopted
        case tunedMetrics = "tuned_cross_validation"
    }

    public init(weight: Double, settings: WalkerField.Settings, plainScore: Double, tunedScore: Double, foldWeights: [Double],
                tunedMetrics: Metrics? = nil) {
        self.weight = weight
        self.settings = settings
        self.plainScore = plainScore
        self.tunedScore = tunedScore
        self.foldWeights = foldWeights
        self.tunedMetrics = tunedMetrics
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        weight = try c.decode(Double.self, forKey: .weight)
        settings = try c.decode(WalkerField.Settings.self, forKey: .settings)
        plainScore = try c.decode(Double.self, forKey: .plainScore)
        tunedScore = try c.decode(Double.self, forKey: .tunedScore)
        foldWeights = try c.decode([Double].self, forKey: .foldWeights)
        tunedMetrics = try c.decodeIfPresent(Metrics.self, forKey: .tunedMetrics)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(weight, forKey: .weight)
        try c.encode(settings, forKey: .settings)
        try c.encode(plainScore, forKey: .plainScore)
        try c.encode(tunedScore, forKey: .tunedScore)
        try c.encode(foldWeights, forKey: .foldWeights)
        try c.encodeIfPresent(tunedMetrics, forKey: .tunedMetrics)
        try c.encode(adopted, forKey: .adopted)
    }

    /// An adopted prior with the walker it mixes in: what a `Predictor` applies.
    public struct Applied: Sendable {
        public let prior: WalkerPrior
        public let field: WalkerField

        public init(prior: WalkerPrior, field: WalkerField) {
            self.prior = prior
            self.field = field
        }
    }

    /// The weights tried: 0, 0.1, …, 1.
    static let grid: [Float] = (0...10).map { Float($0) / 10 }

    /// The region a walker over `set` solves (nil for an empty set): the labels' in-plane box grown
    /// by `settings.margin`, their slices extended by `settings.marginZ` (default: the widest gap
    /// between labelled slices).
    public static func region(of set: LabelledSet, settings: WalkerField.Settings, shape: Shape) -> Box? {
        guard let first = set.voxels.first else { return nil }
        var lower = first, upper = first
        var labelled = Set<Int>()
        for v in set.voxels {
            lower = lower.clamped(below: v)
            upper = upper.clamped(above: v)
            labelled.insert(v.z)
        }
        let slices = labelled.sorted()
        let widest = zip(slices, slices.dropFirst()).map { $1 - $0 }.max() ?? 0
        let extra = max(0, settings.marginZ ?? widest)
        let plane = Box(lower: lower, upper: upper + Index3(z: 1, y: 1, x: 1))
        return WalkerField.region(slices: max(0, lower.z - extra)...min(shape.z - 1, upper.z + extra), plane: plane,
                                  margin: settings.margin, shape: shape)
    }

    /// The walker seeded by the voxels of `set` at `seeds` (all when nil) over `region`; nil when
    /// those seeds hold fewer than two classes.
    public static func field(_ set: LabelledSet, seeds: [Int]? = nil, region: Box, volume: MultiscaleVolume,
                             record: ProjectRecord, settings: WalkerField.Settings,
                             isCancelled: () -> Bool = { false }) throws -> WalkerField? {
        let chosen = seeds ?? Array(set.voxels.indices)
        var bySlice: [Int: [Int]] = [:]
        for i in chosen { bySlice[set.voxels[i].z, default: []].append(i) }
        let classes = Set(chosen.map { set.labels[$0] }).sorted()
        guard classes.count >= 2 else { return nil }
        return try WalkerField.solve(
            volume: volume, low: record.valueLow, high: record.valueHigh, voxelSize: [record.voxelZ, record.voxelY, record.voxelX],
            region: region, classes: classes, settings: settings,
            seeds: { box in
                var block = Block<UInt8>(shape: box.shape, repeating: 0)
                for z in box.lower.z..<box.upper.z {
                    for i in bySlice[z] ?? [] where box.contains(set.voxels[i]) { block[set.voxels[i] - box.lower] = set.labels[i] }
                }
                return block
            }, isCancelled: isCancelled)
    }

    /// The walker's probabilities at `voxels` over `classes` (ids, the order of the result): a
    /// class the walker did not walk gets 0.
    static func walkerProbabilities(_ field: WalkerField, at voxels: [Index3], classes: [Int]) -> [Float] {
        let (values, _) = field.probabilities(at: voxels)
        let k = classes.count, n = field.classes.count
        let column = field.classes.map { classes.firstIndex(of: Int($0)) }
        var out = [Float](repeating: 0, count: voxels.count * k)
        for i in voxels.indices {
            for (j, target) in column.enumerated() {
                if let target { out[i * k + target] = values[i * n + j] }
            }
        }
        return out
    }

    /// Tunes the weight on `predictions` (the forest's held-out probabilities, whose folds carry
    /// their indices into the labelled set they were cut from): each fold's walker is seeded by
    /// every labelled voxel outside the fold's groups. Nil with fewer than two folds, without the
    /// set or fold indices, or when no fold's walker has two classes to walk.
    public static func tune(_ predictions: HeldOutPredictions, volume: MultiscaleVolume, record: ProjectRecord,
                            settings: WalkerField.Settings = WalkerField.Settings(),
                            isCancelled: () -> Bool = { false }) throws -> WalkerPrior? {
        try tuneKeepingFields(predictions, volume: volume, record: record, settings: settings, isCancelled: isCancelled)?.prior
    }

    /// `tune`, with each fold's out-of-fold walker (nil where its seeds lacked a class).
    static func tuneKeepingFields(_ predictions: HeldOutPredictions, volume: MultiscaleVolume, record: ProjectRecord,
                                  settings: WalkerField.Settings,
                                  isCancelled: () -> Bool) throws -> (prior: WalkerPrior, folds: [WalkerField?])? {
        let folds = predictions.folds
        guard let set = predictions.labelled, folds.count >= 2, predictions.classes.count >= 2, folds.allSatisfy({ $0.indices.count == $0.truth.count }),
              let region = region(of: set, settings: settings, shape: volume.shape),
              let plain = RecipeSelection.score(predictions.metrics) else { return nil }
        let settings = settings.fitted(to: region)
        // Each fold's walker probabilities at its held-out voxels (nil: its seeds lack a class).
        var walked: [[Float]?] = []
        var fields: [WalkerField?] = []
        for fold in folds {
            let excluded = Set(fold.members.isEmpty ? fold.indices : fold.members)
            let seeds = set.voxels.indices.filter { !excluded.contains($0) }
            let field = try self.field(set, seeds: seeds, region: region, volume: volume, record: record, settings: settings,
                                       isCancelled: isCancelled)
            walked.append(field.map { walkerProbabilities($0, at: fold.indices.map { set.voxels[$0] }, classes: predictions.classes) })
            fields.append(field)
        }
        guard walked.contains(where: { $0 != nil }) else { return nil }
        func mixed(_ w: Float) -> HeldOutPredictions {
            predictions.replacingProbabilities(zip(folds, walked).map { fold, walker in
                guard let walker, w > 0 else { return fold.probabilities }
                return zip(fold.probabilities, walker).map { (1 - w) * $0 + w * $1 }
            })
        }
        let candidates = grid.map(mixed)
        let choice = CrossFittedChoice(matrices: folds.indices.map { f in candidates.map { $0.matrix(folds: [f]) } },
                                       classes: predictions.classes).choose()
        let prior = WalkerPrior(weight: Double(grid[choice.final]), settings: settings, plainScore: plain,
                                tunedScore: RecipeSelection.score(choice.crossFitted) ?? 0,
                                foldWeights: choice.perFold.map { Double(grid[$0]) }, tunedMetrics: choice.crossFitted)
        return (prior, fields)
    }

    /// Tunes the prior on `predictions` and, when it is adopted, solves the walker from every label
    /// of their set: what a model trained on that set mixes in.
    public static func tuneAndSolve(_ predictions: HeldOutPredictions, volume: MultiscaleVolume,
                                    record: ProjectRecord, settings: WalkerField.Settings = WalkerField.Settings(),
                                    isCancelled: () -> Bool = { false }) throws -> Tuned? {
        guard let set = predictions.labelled,
              let (prior, folds) = try tuneKeepingFields(predictions, volume: volume, record: record, settings: settings,
                                                        isCancelled: isCancelled)
        else { return nil }
        guard prior.adopted, let region = region(of: set, settings: prior.settings, shape: volume.shape) else {
            return Tuned(prior: prior, field: nil, folds: [])
        }
        let field = try self.field(set, region: region, volume: volume, record: record, settings: prior.settings, isCancelled: isCancelled)
        return Tuned(prior: prior, field: field, folds: field == nil ? [] : folds.map { $0.map { Applied(prior: prior, field: $0) } })
    }

    /// What `tuneAndSolve` found: the prior, and when it is adopted the walker from every label
    /// and each fold's out-of-fold walker applied with the prior's weight (to score later steps
    /// on held-out slices as the model will predict them).
    public struct Tuned: Sendable {
        public var prior: WalkerPrior
        public var field: WalkerField?
        public var folds: [Applied?]
    }

    /// `probabilities` (a forest's, over `box`) mixed with `field` where the box lies in its region.
    public func apply(to probabilities: ClassProbabilities, box: Box, field: WalkerField) -> ClassProbabilities {
        guard weight > 0, !box.intersection(field.region).isEmpty else { return probabilities }
        let classes = probabilities.classes.map { Int($0.id) }
        let k = classes.count
        var voxels: [Index3] = []
        voxels.reserveCapacity(box.shape.voxelCount)
        for z in box.lower.z..<box.upper.z {
            for y in box.lower.y..<box.upper.y {
                for x in box.lower.x..<box.upper.x { voxels.append(Index3(z: z, y: y, x: x)) }
            }
        }
        let walker = Self.walkerProbabilities(field, at: voxels, classes: classes)
        var out = probabilities
        let w = Float(weight)
        for i in voxels.indices where field.region.contains(voxels[i]) {
            for c in 0..<k { out.values[i * k + c] = (1 - w) * out.values[i * k + c] + w * walker[i * k + c] }
        }
        return out
    }
}
