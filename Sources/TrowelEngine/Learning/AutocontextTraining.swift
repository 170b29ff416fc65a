import Foundation
import TrowelML
import TrowelVolume

/// Trains an autocontext cascade (ilastik's multi-stage pixel classification) so that no stage
/// learns from predictions on its own labels. The labelled voxels are split into the same
/// leakage-aware folds as cross-validation; fold k's forest of each stage is trained without fold
/// k's voxels and predicts the surroundings of fold k's voxels, whose smoothed probabilities become
/// those voxels' extra features for the next stage (out of fold). The gap between a fold and its
/// forests' training voxels covers everything a voxel's context reads, so no probability a stage
/// learns from was predicted by a forest that trained on that voxel. The fold forests' held-out
/// predictions give each stage's cross-validated score for free; the final cascade is trained on
/// every voxel.
public struct AutocontextTraining: Sendable {
    public let volume: MultiscaleVolume
    /// The image features, shared by every stage.
    public let spec: FeatureSpec
    public let configuration: ForestConfiguration
    /// Stages in the cascade, ≥ 2.
    public let stages: Int
    /// Scales of the smoothed probabilities a stage adds.
    public let sigmas: [Double]
    public var folds = 3

    public init(volume: MultiscaleVolume, spec: FeatureSpec, configuration: ForestConfiguration, stages: Int,
                sigmas: [Double] = Autocontext.defaultSigmas) {
        precondition(stages >= 2, "AutocontextTraining: a cascade has at least two stages")
        self.volume = volume
        self.spec = spec
        self.configuration = configuration
        self.stages = stages
        self.sigmas = sigmas
    }

    /// What training found.
    public struct Result: Sendable {
        /// The cascade trained on every voxel (nil when only validating).
        public var forest: RandomForest?
        /// Held-out metrics of each stage (index 0 = stage 1); nil where nothing could be scored.
        public var metricsByStage: [Metrics?]
        /// The last stage's fold forests' probabilities for their held-out voxels.
        public var heldOut: HeldOutPredictions?
        /// The folds, for inspection: each fold's forests trained on `training`, predicted around `members`.
        public var plan: [CrossValidation.Fold]
        /// Voxels around a fold's voxel that its out-of-fold context reads (Chebyshev, in-plane for
        /// 2D features): every earlier stage's smoothing reach.
        public var reach: Int
        /// The probability features stage 1 gave stage 2, per labelled voxel (`contextWidth` each),
        /// every one predicted by the forest of the voxel's fold.
        public var outOfFoldContext: [Float]
        public var contextWidth: Int
    }

    /// Voxels one stage's smoothed probabilities read around a voxel.
    public var contextHalo: Int { Autocontext.spec(sigmas: sigmas, dimensionality: spec.dimensionality).halo }

    /// The gap between a fold's voxels and its forests' training voxels: the image features' halo
    /// (as in cross-validation) and at least what the out-of-fold context reads.
    public var gap: Int { max(spec.halo, (stages - 1) * contextHalo) }

    /// Trains the fold forests of every stage (and, with `trainsFinal`, the final cascade) on `set`,
    /// whose image features are `features`. `progress(fraction)`; `isCancelled` is polled between forests.
    public func run(_ set: LabelledSet, features: [Float], classes table: [ClassInfo], trainsFinal: Bool,
                    progress: (Double) -> Void = { _ in }, isCancelled: () -> Bool = { false }) throws -> Result {
        let f = spec.featureCount
        precondition(features.count == set.count * f, "AutocontextTraining: features do not match the voxels")
        let present = Set(set.labels.map(Int.init)).sorted()
        let planar = spec.dimensionality == .planar
        guard present.count >= 2,
              let plan = CrossValidation.plan(set, gap: gap, sliceGap: planar ? 1 : gap, folds: folds), plan.count >= 2 else {
            throw LearningError.autocontextNeedsFolds
        }
        let steps = Double(stages * (plan.count + (trainsFinal ? 1 : 0)))
        var done = 0.0
        func step() throws {
            done += 1
            progress(done / steps)
            if isCancelled() { throw LearningError.cancelled }
        }

        var rows = features          // samples of the current stage: image features, then context
        var width = f
        var usable = [Bool](repeating: true, count: set.count)   // voxels with out-of-fold context
        var foldForests = [RandomForest?](repeating: nil, count: plan.count)
        var finalForest: RandomForest?
        var metricsByStage: [Metrics?] = []
        var heldOut: HeldOutPredictions?
        var firstContext: [Float] = [], firstWidth = 0
        for stage in 1...stages {
            let last = stage == stages
            var predictions = HeldOutPredictions(classes: present)
            predictions.labelled = set
            var context: [Float] = []
            var contextWidth = 0
            var nextUsable = usable
            for (k, fold) in plan.enumerated() {
                let training = fold.training.filter { usable[$0] }
                let earlier = foldForests[k]
                foldForests[k] = nil
                if stage == 1 || earlier != nil, !training.isEmpty,
                   Set(training.map { Int(set.labels[$0]) }).count == present.count {
                    let forest = try train(training, rows: rows, width: width, set: set, earlier: earlier, classes: table)
                    let held = fold.heldOut.filter { usable[$0] }
                    if !held.isEmpty {
                        predictions.add(forest, rows: CrossValidation.rows(held, of: rows, width),
                                        truth: held.map { set.labels[$0] }, indices: held, members: fold.members)
                    }
                    foldForests[k] = forest
                    if !last {
                        let stageContext = try Autocontext(stage: forest, sigmas: sigmas)
                        if contextWidth == 0 {
                            contextWidth = stageContext.featureCount
                            context = [Float](repeating: 0, count: set.count * contextWidth)
                        }
                        try contextFeatures(of: fold.members, in: set, cascade: stageContext, into: &context)
                    }
                }
                if foldForests[k] == nil { for i in fold.members { nextUsable[i] = false } }
                try step()
            }
            metricsByStage.append(predictions.metrics)
            if last, predictions.count > 0 { heldOut = predictions }
            if trainsFinal {
                let all = set.voxels.indices.filter { usable[$0] }
                finalForest = try train(all, rows: rows, width: width, set: set, earlier: finalForest, classes: table)
                try step()
            }
            if last { break }
            guard contextWidth > 0, nextUsable.contains(true) else { throw LearningError.autocontextNeedsFolds }
            if stage == 1 { (firstContext, firstWidth) = (context, contextWidth) }
            rows = Self.concatenate(features, width: f, context, width: contextWidth, count: set.count)
            width = f + contextWidth
            usable = nextUsable
        }
        return Result(forest: finalForest, metricsByStage: metricsByStage, heldOut: heldOut, plan: plan, reach: (stages - 1) * contextHalo,
                      outOfFoldContext: firstContext, contextWidth: firstWidth)
    }

    /// A forest of the next stage after `earlier` (the first stage when nil) on the voxels `indices`.
    private func train(_ indices: [Int], rows: [Float], width: Int, set: LabelledSet, earlier: RandomForest?,
                       classes: [ClassInfo]) throws -> RandomForest {
        let samples = try TrainingSamples(featureCount: width, features: CrossValidation.rows(indices, of: rows, width),
                                          labels: indices.map { set.labels[$0] })
        return try RandomForest.train(on: samples, spec: spec, context: earlier.map { try Autocontext(stage: $0, sigmas: sigmas) },
                                      classTable: classes, configuration: configuration)
    }

    /// The probability features `cascade` adds at the voxels `members` of `set`, written to their
    /// rows of `out`: the cascade's stage predicts the voxels' neighbourhood (bounding boxes of
    /// nearby voxels grown by the smoothing reach) and the smoothed maps are read at the voxels.
    func contextFeatures(of members: [Int], in set: LabelledSet, cascade: Autocontext, into out: inout [Float]) throws {
        let width = cascade.featureCount
        let predictor = Predictor(forest: cascade.stage, volume: volume)
        let bounds = volume.shape.box
        let volumetric = spec.dimensionality == .volumetric
        let tile = volumetric ? 64 : 256, tileZ = volumetric ? 64 : 1
        var groups: [Index3: [Int]] = [:]
        for i in members {
            let v = set.voxels[i]
            groups[Index3(z: v.z / tileZ, y: v.y / tile, x: v.x / tile), default: []].append(i)
        }
        let h = cascade.spec.halo
        let grow = Index3(z: volumetric ? h : 0, y: h, x: h)
        for key in groups.keys.sorted(by: { ($0.z, $0.y, $0.x) < ($1.z, $1.y, $1.x) }) {
            let group = groups[key]!
            var lower = set.voxels[group[0]], upper = lower
            for i in group {
                lower = lower.clamped(below: set.voxels[i])
                upper = upper.clamped(above: set.voxels[i])
            }
            let box = Box(lower: lower, upper: upper + Index3(z: 1, y: 1, x: 1))
            let around = Box(lower: box.lower - grow, upper: box.upper + grow).intersection(bounds)
            let p = try predictor.predict(around)
            let image = cascade.features(of: p, in: box.translated(by: .zero - around.lower))
            let shape = box.shape
            for i in group {
                let q = set.voxels[i] - box.lower
                let o = shape.offset(z: q.z, y: q.y, x: q.x)
                for j in 0..<width { out[i * width + j] = image.values[o * width + j] }
            }
        }
    }

    /// Rows of `a` (`wa` values each) followed by the rows of `b` (`wb` each), for `count` voxels.
    static func concatenate(_ a: [Float], width wa: Int, _ b: [Float], width wb: Int, count: Int) -> [Float] {
        var out = [Float](repeating: 0, count: count * (wa + wb))
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                out.withUnsafeMutableBufferPointer { po in
                    for i in 0..<count {
                        (po.baseAddress! + i * (wa + wb)).update(from: pa.baseAddress! + i * wa, count: wa)
                        (po.baseAddress! + i * (wa + wb) + wa).update(from: pb.baseAddress! + i * wb, count: wb)
                    }
                }
            }
        }
        return out
    }
}
