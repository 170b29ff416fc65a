import ArgumentParser
import Foundation
import TrowelML
import TrowelVolume

/// ml4paleo's default segmentation of one slice, Trowel's way: features (σ 1…32, 24 per pixel),
/// a 50-tree depth-12 forest trained on the labelled pixels, prediction of the whole slice.
struct PipelineBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipeline",
        abstract: "Train on the labelled pixels of a raw u8 slice and predict the whole slice."
    )

    @Option(help: "Raw uint8 image, row-major.") var image: String
    @Option(help: "Raw uint8 labels (0 = unlabelled, 1…K = class).") var labels: String
    @Option(help: "Raw uint8 full ground truth to score against.") var truth: String?
    @Option(help: "Columns.") var width: Int
    @Option(help: "Rows.") var height: Int
    @Option(help: "Smallest σ.") var sigmaMin: Double = 1
    @Option(help: "Largest σ.") var sigmaMax: Double = 32
    @Option(help: "Trees.") var trees: Int = 50
    @Option(help: "Max tree depth.") var depth: Int = 12
    @Option(help: "Class weighting: uniform (the default, as the reference) or balanced.") var classWeighting: String = "uniform"
    @Option(help: "Random seed.") var seed: UInt64 = 0
    @Flag(help: "Add the raw voxel value as feature 0, as the default recipe does.") var raw = false
    @Flag(help: "Print one JSON object.") var json = false

    func run() throws {
        let n = width * height
        let shape = Shape(z: 1, y: height, x: width)
        let pixels = try BenchSupport.readBytes(image, count: n)
        let labelPixels = try BenchSupport.readBytes(labels, count: n)
        guard let weighting = ForestConfiguration.ClassWeighting(rawValue: classWeighting) else {
            throw ValidationError("--class-weighting must be balanced or uniform")
        }
        var spec = FeatureSpec.basic(sigmaMin: sigmaMin, sigmaMax: sigmaMax)
        spec.includesRaw = raw
        let bank = try FeatureBank(spec: spec)
        let block = AnyBlock(Block(shape: shape, elements: pixels))

        let cpu0 = BenchSupport.cpuSeconds()
        let (features, featureSeconds) = BenchSupport.time { bank.features(of: block) }
        let cpu1 = BenchSupport.cpuSeconds()
        let config = ForestConfiguration(treeCount: trees, maxDepth: depth, classWeighting: weighting, seed: seed)
        let (forest, trainSeconds) = try BenchSupport.time {
            try RandomForest.train(on: TrainingSamples(features: features, labels: labelPixels), spec: spec, configuration: config)
        }
        let cpu2 = BenchSupport.cpuSeconds()
        let ((_, predicted), predictSeconds) = BenchSupport.time { () -> (ClassProbabilities, Block<UInt8>) in
            let p = forest.probabilities(for: features)
            return (p, p.labels)
        }
        let cpu3 = BenchSupport.cpuSeconds()
        let mpx = Double(n) / 1e6
        var out: [String: Any] = [
            "pipeline": "trowel (FeatureBank + RandomForest)",
            "pixels": n,
            "features": features.featureCount,
            "train_samples": labelPixels.reduce(0) { $0 + ($1 > 0 ? 1 : 0) },
            "features_mpx_s": mpx / featureSeconds,
            "train_s": trainSeconds,
            "predict_mpx_s": mpx / predictSeconds,
            "end_to_end_mpx_s": mpx / (featureSeconds + trainSeconds + predictSeconds),
            "feature_bytes": features.byteCount,
            "nodes": forest.nodeCount,
            "oob_error": forest.oobError ?? -1,
            "peak_rss_mb": BenchSupport.peakResidentMegabytes(),
            "cpu_s": ["features": cpu1 - cpu0, "train": cpu2 - cpu1, "predict": cpu3 - cpu2],
        ]
        if let truth {
            let t = try BenchSupport.readBytes(truth, count: n)
            var f1: [String: Double] = [:]
            for k in Set(t).subtracting([0]).sorted() {
                var tp = 0, fp = 0, fn = 0
                for i in 0..<n {
                    let p = predicted.elements[i] == k, r = t[i] == k
                    if p && r { tp += 1 } else if p { fp += 1 } else if r { fn += 1 }
                }
                f1[String(k)] = Double(2 * tp) / Double(max(2 * tp + fp + fn, 1))
            }
            out["f1_per_class"] = f1
        }
        if json {
            try BenchSupport.printJSON(out)
        } else {
            for key in out.keys.sorted() { print("\(key): \(out[key]!)") }
        }
    }
}
