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
            radius), a forest on all labels, saved as models/<id>.forest and <id>.json. Prints the model \
            id and the cross-validated metrics; the out-of-bag error is optimistic.
            """
    )

    @Argument(help: "The project folder.")
    var project: String

    @Option(help: "Trees in the forest.")
    var trees = TrainingRun.interactiveConfiguration.treeCount

    @Option(help: "Maximum tree depth.")
    var depth = TrainingRun.interactiveConfiguration.maxDepth

    @Option(help: "Largest Gaussian scale σ, or min:max (e.g. 1:32).")
    var sigma = "1:16"

    @Flag(name: .customLong("3d"), help: "Volumetric features (default: 2D, within each slice).")
    var volumetric = false

    @Option(help: "Training samples kept at most (stratified subsample).")
    var maxSamples = TrainingRun.interactiveConfiguration.maxSamples

    @Option(help: "Cross-validation folds.")
    var folds = 3

    @Flag(help: "Print one JSON object.")
    var json = false

    func validate() throws {
        guard trees > 0 else { throw ValidationError("--trees must be positive") }
        guard depth >= 0 else { throw ValidationError("--depth must not be negative") }
        guard maxSamples > 0 else { throw ValidationError("--max-samples must be positive") }
        guard folds >= 2 else { throw ValidationError("--folds must be at least 2") }
        _ = try sigmas()
    }

    func sigmas() throws -> (Double, Double) {
        let parts = sigma.split(separator: ":").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        switch parts.count {
        case 1: if let hi = parts[0], hi >= 1 { return (1, hi) }
        case 2: if let lo = parts[0], let hi = parts[1], lo > 0, hi >= lo { return (lo, hi) }
        default: break
        }
        throw ValidationError("--sigma \(sigma): give σmax (e.g. 16) or σmin:σmax (e.g. 1:32)")
    }

    func run() throws {
        try reportingErrors {
            let project = try Project.open(at: URL(fileURLWithPath: self.project))
            let volume = try MultiscaleVolume.open(at: project.volumeURL)
            let (lo, hi) = try sigmas()
            let spec = FeatureSpec.basic(sigmaMin: lo, sigmaMax: hi, dimensionality: volumetric ? .volumetric : .planar)
            var configuration = TrainingRun.interactiveConfiguration
            configuration.treeCount = trees
            configuration.maxDepth = depth
            configuration.maxSamples = maxSamples
            var run = TrainingRun(project: project, volume: volume, spec: spec, configuration: configuration)
            run.folds = folds
            Interrupts.install()
            let started = Date()
            let (_, record) = try run.run(progress: { phase, fraction in
                Terminal.showProgress(String(format: "training: %@ %3.0f%%", phase, fraction * 100))
            }, isCancelled: { Interrupts.isInterrupted })
            Terminal.clearProgressLine()
            let seconds = Date().timeIntervalSince(started)
            let names = Dictionary(uniqueKeysWithValues: try project.classes().map { ($0.id, $0.name) })
            if json {
                var object: [String: Any] = [
                    "model": record.id, "training_voxels": record.trainingVoxels, "seconds": seconds,
                    "training_seconds": record.trainingSeconds, "features": spec.description,
                    "counts": Dictionary(uniqueKeysWithValues: record.countsByClass.map { (names[$0.key] ?? "class \($0.key)", $0.value) }),
                ]
                object["oob_error_optimistic"] = record.oobError ?? NSNull()
                if let m = record.metrics {
                    object["metrics"] = MetricsText.json(m, names: names)
                    object["accuracy"] = m.overallAccuracy
                    object["validated_voxels"] = m.evaluatedVoxels
                } else {
                    object["metrics"] = NSNull()
                }
                print(try MetricsText.serialize(object))
            } else {
                let counts = record.countsByClass.sorted { $0.key < $1.key }
                    .map { "\(names[$0.key] ?? "class \($0.key)") \($0.value)" }.joined(separator: ", ")
                print("model \(record.id): \(record.trainingVoxels) labelled voxels (\(counts)), \(spec.description)")
                print(String(format: "trained in %.2f s (%.2f s in all)", record.trainingSeconds, seconds))
                if let m = record.metrics {
                    print("cross-validated over \(m.evaluatedVoxels) voxels (held-out slices, gap \(spec.halo) voxels):")
                    print(MetricsText.table(m, names: names))
                } else {
                    print("not cross-validated: label a second slice (or a larger region) of each class")
                }
                if let oob = record.oobError { print(String(format: "out-of-bag error %.4f (optimistic)", oob)) }
            }
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
