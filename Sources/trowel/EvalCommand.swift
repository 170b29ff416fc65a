import ArgumentParser
import Foundation
import TrowelEngine
import TrowelVolume

struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Score a model against a ground-truth label volume.",
        discussion: """
            Predicts every voxel of the slice range with the model and compares it with --truth (Zarr or \
            OME-Zarr, TIFF/PNG stack, or raw with --shape and --dtype), counting only voxels whose truth \
            is a class id of the project. Prints precision, recall, F1 (Dice), Jaccard and accuracy per \
            class; --json gives one object keyed by class name.
            """
    )

    @Argument(help: "The project folder.")
    var project: String

    @Option(help: "Model id (default: the newest model).")
    var model: String?

    @Option(parsing: .upToNextOption, help: "The ground-truth label volume.")
    var truth: [String]

    @Option(help: "Half-open slice range a:b along z (default: all slices).")
    var slices: String?

    @OptionGroup var raw: RawVolumeOptions

    @Flag(help: "Print one JSON object keyed by class name.")
    var json = false

    func validate() throws {
        guard !truth.isEmpty else { throw ValidationError("--truth needs a file") }
        try raw.validate(inputs: truth)
    }

    func run() throws {
        try reportingErrors {
            let project = try Project.open(at: URL(fileURLWithPath: self.project))
            let volume = try MultiscaleVolume.open(at: project.volumeURL)
            // The user's truth file first: its faults are the ones to hear about, model or not.
            let source = try raw.makeSource(truth)
            let library = ModelLibrary(project: project)
            guard let id = try model ?? library.latestID() else { throw LearningError.noModels }
            let (forest, record) = try library.load(id)
            let depth = volume.shape.z
            var range = 0..<depth
            if let slices {
                let parts = slices.split(separator: ":", omittingEmptySubsequences: false).map { Int($0) }
                guard parts.count == 2, let a = parts[0], let b = parts[1], a >= 0, a < b, b <= depth else {
                    throw LearningError.sliceRange(slices, depth: depth)
                }
                range = a..<b
            }
            let classes = try project.classes()
            let names = Dictionary(uniqueKeysWithValues: classes.map { ($0.id, $0.name) })
            Interrupts.install()
            let bar = ProgressBar(label: "evaluating", unit: "slices")
            let started = Date()
            let metrics = try TruthEvaluation(predictor: Predictor(forest: forest, volume: volume, prior: try library.prior(for: record)), classes: classes.map(\.id))
                .run(truth: source, file: truth.joined(separator: " "), slices: range, progress: { done, total in
                    Terminal.showProgress(bar.line(done: done, total: total, bytes: 0, elapsed: Date().timeIntervalSince(started),
                                                   width: Terminal.width))
                }, isCancelled: { Interrupts.isInterrupted })
            Terminal.clearProgressLine()
            if json {
                print(try MetricsText.serialize(MetricsText.json(metrics, names: names)))
            } else {
                print("model \(record.id) on slices \(range.lowerBound):\(range.upperBound) against \(truth.joined(separator: " ")):")
                print(MetricsText.table(metrics, names: names))
            }
        }
    }
}
