import ArgumentParser
import Foundation
import TrowelEngine
import TrowelML
import TrowelVolume

/// `trowel-bench learn`: how long online learning takes as labels grow (10k … 1M labelled voxels),
/// and the latency from a finished stroke to an updated overlay with ~200k labelled voxels — the
/// same TrainingRun and Predictor the viewer runs, with the viewer's debounce added.
struct LearnBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "learn", abstract: "Training time and stroke-to-overlay latency.")

    @Option(help: "Where the generated project is kept between runs.")
    var workDir = "/tmp/trowel-bench-learn"

    @Flag(help: "Print one JSON object.")
    var json = false

    func run() throws {
        let work = URL(fileURLWithPath: workDir)
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let phantom = try FossilPhantom(size: 256)
        let url = work.appendingPathComponent("fossil-256.trowel")
        if !FileManager.default.fileExists(atPath: url.appendingPathComponent(Project.databaseName).path) {
            FileHandle.standardError.write(Data("generating \(url.path) (once)…\n".utf8))
            _ = try ProjectBuilder().build(from: phantom, at: url)
        }
        let project = try Project.open(at: url)
        let volume = try MultiscaleVolume.open(at: project.volumeURL)
        var growth: [[String: Any]] = []
        for target in [10_000, 100_000, 200_000, 1_000_000] {
            try resetLabels(project)
            let labelled = try importTruth(phantom, into: project, voxels: target)
            var run = try TrainingRun(project: project, volume: volume)
            run.crossValidates = false
            let (_, firstSeconds) = try BenchSupport.time { try run.run() }      // features computed
            let (_, warmSeconds) = try BenchSupport.time { try run.run() }       // features cached
            let (metrics, cvSeconds) = try BenchSupport.time { try run.validate() }
            growth.append(["labelled_voxels": labelled, "train_cold_s": firstSeconds, "train_warm_s": warmSeconds,
                           "cross_validation_s": cvSeconds, "cv_bone_f1": metrics?.perClass[1]?.f1 ?? NSNull()])
        }
        // Latency: 200k labelled voxels, features cached, then one new stroke (a 5-voxel-radius disc).
        try resetLabels(project)
        let labelled = try importTruth(phantom, into: project, voxels: 200_000)
        var run = try TrainingRun(project: project, volume: volume)
        run.crossValidates = false
        _ = try run.run()
        try paintStroke(project, phantom: phantom, slice: 130)
        let ((forest, _), trainSeconds) = try BenchSupport.time { try run.run() }
        // The visible area of a 200×60 terminal at 1 pixel per voxel: 169 × 116 voxels around the centre.
        let view = Box(z: 130..<131, y: 70..<186, x: 44..<213)
        let (_, predictSeconds) = try BenchSupport.time { try Predictor(forest: forest, volume: volume).predict(view) }
        let debounce = 0.25 * Double(2)   // App.trainDelayTicks ticks of the run loop's 250 ms
        let result: [String: Any] = [
            "benchmark": "learn", "scan": "fossil phantom 256^3 u8", "features": run.spec.featureCount,
            "growth": growth,
            "stroke_to_overlay": ["labelled_voxels": labelled, "debounce_s": debounce, "train_s": trainSeconds,
                                  "predict_view_s": predictSeconds, "total_s": debounce + trainSeconds + predictSeconds],
            "peak_rss_mb": BenchSupport.peakResidentMegabytes(),
        ]
        if json {
            try BenchSupport.printJSON(result)
        } else {
            for g in growth {
                print(String(format: "%8d voxels: train %.2f s cold, %.2f s cached; cross-validation %.2f s", g["labelled_voxels"] as! Int,
                             g["train_cold_s"] as! Double, g["train_warm_s"] as! Double, g["cross_validation_s"] as! Double))
            }
            print(String(format: "stroke → overlay with %d labelled voxels: %.2f s (debounce %.2f + train %.2f + predict %.2f)", labelled,
                         debounce + trainSeconds + predictSeconds, debounce, trainSeconds, predictSeconds))
        }
    }

    /// Removes the labels, models and stroke log so each size starts from nothing.
    func resetLabels(_ project: Project) throws {
        for name in [LabelStore.folderName, "models"] {
            try? FileManager.default.removeItem(at: project.url.appendingPathComponent(name))
        }
        try project.database.write { db in
            try db.execute(sql: "DELETE FROM stroke")
            try db.execute(sql: "DELETE FROM model")
        }
    }

    /// Imports about `voxels` ground-truth labels spread over evenly spaced slices (at least five,
    /// never more than half full); returns how many were imported.
    func importTruth(_ phantom: FossilPhantom, into project: Project, voxels: Int) throws -> Int {
        let plane = phantom.shape.y * phantom.shape.x
        let count = min(phantom.shape.z, max(5, (2 * voxels + plane - 1) / plane))
        let slices = (0..<count).map { (2 * $0 + 1) * phantom.shape.z / (2 * count) }
        let source = SparseTruth(phantom: phantom, slices: Set(slices), fraction: Double(voxels) / Double(count * plane))
        return try LabelImport(project: project).run(from: source, file: "benchmark truth", mapping: .classIDs).values.reduce(0, +)
    }

    /// A new stroke: the truth in a disc of radius 5 on `slice`.
    func paintStroke(_ project: Project, phantom: FossilPhantom, slice: Int) throws {
        let labels = try ZarrArray.open(at: project.url.appendingPathComponent(LabelStore.folderName))
        let box = Box(z: slice..<(slice + 1), y: 123..<134, x: 123..<134)
        let truth = phantom.truthSlices(slice..<(slice + 1)).cropped(to: Box(z: 0..<1, y: 123..<134, x: 123..<134))
        try labels.write(truth, at: box.lower)
    }
}

/// The phantom's truth on some slices at a deterministic pseudo-random `fraction` of voxels; 0 elsewhere.
struct SparseTruth: SliceSource {
    let phantom: FossilPhantom
    let slices: Set<Int>
    let fraction: Double
    var shape: Shape { phantom.shape }
    var dtype: DType { .u8 }
    var summary: String { "sparse truth" }

    func readSlices(_ range: Range<Int>) throws -> AnyBlock {
        var out = Block<UInt8>(shape: Shape(z: range.count, y: shape.y, x: shape.x), repeating: 0)
        let plane = shape.y * shape.x
        for (k, z) in range.enumerated() where slices.contains(z) {
            let truth = phantom.truthSlices(z..<(z + 1)).elements
            let keep = UInt64(fraction * Double(UInt32.max))
            for i in 0..<plane where (UInt64(truncatingIfNeeded: (z &* plane &+ i) &* 2_654_435_761) & 0xFFFF_FFFF) < keep {
                out.elements[k * plane + i] = truth[i]
            }
        }
        return .u8(out)
    }
}
