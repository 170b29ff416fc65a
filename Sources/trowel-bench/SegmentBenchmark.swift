import ArgumentParser
import Foundation
import TrowelEngine
import TrowelML
import TrowelVolume

/// `trowel-bench segment`: whole-volume segmentation speed (Mvoxel/s) and peak memory on a
/// generated fossil phantom (default 512×512×256) with the ml4paleo-equivalent model: 2D features
/// σ 1…32, 50 trees, depth 12, trained on sparse truth — the same SegmentationJob as `trowel segment`.
/// `--features 3d` uses the same σ series computed in 3D (30 features).
struct SegmentBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "segment", abstract: "Whole-volume segmentation throughput and memory.")

    @Option(help: "Phantom side in y and x.")
    var size = 512

    @Option(help: "Phantom slices (default: half the side).")
    var slices: Int?

    @Option(help: "Feature dimensionality: 2d (per slice, ml4paleo's default) or 3d.")
    var features = "2d"

    @Option(help: "Autocontext stages of the model (2: a second forest on the first one's smoothed probabilities).")
    var stages = 1

    @Option(help: "Compute block side (default: the job's choice for the features).")
    var block: Int?

    @Option(help: "Memory budget of the segmentation.")
    var memory = "1G"

    @Option(help: "Workers (default: the number of cores).")
    var workers = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Where the generated project and model are kept between runs.")
    var workDir = "/tmp/trowel-bench-segment"

    @Flag(help: "Print one JSON object.")
    var json = false

    @Option(help: "Also write the scan, the sparse training labels and the truth as raw uint8 (z, y, x) files plus shape.json into this folder, for Scripts/reference-segment.py.")
    var writeInputs: String?

    func run() throws {
        let depth = slices ?? max(1, size / 2)
        let phantom = try FossilPhantom(size: size, slices: depth)
        let work = URL(fileURLWithPath: workDir)
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let url = work.appendingPathComponent("fossil-\(size)x\(depth).trowel")
        if !FileManager.default.fileExists(atPath: url.appendingPathComponent(Project.databaseName).path) {
            FileHandle.standardError.write(Data("generating \(url.path) (once)…\n".utf8))
            _ = try ProjectBuilder().build(from: phantom, at: url)
        }
        let project = try Project.open(at: url)
        guard features == "2d" || features == "3d" else { throw ValidationError("--features must be 2d or 3d") }
        let spec = FeatureSpec.basic(sigmaMin: 1, sigmaMax: 32, dimensionality: features == "3d" ? .volumetric : .planar)
        let library = ModelLibrary(project: project)
        var trainingSeconds: Double?
        let id: String
        guard (1...3).contains(stages) else { throw ValidationError("--stages must be 1, 2 or 3") }
        if let existing = try library.records().last(where: { $0.spec == spec && $0.configuration.treeCount == 50 && $0.stages == stages }) {
            id = existing.id
        } else {
            FileHandle.standardError.write(Data("training the ml4paleo-equivalent model, \(stages) stage(s) (once)…\n".utf8))
            if try LabelledSet.gather(from: project, shape: phantom.shape).isEmpty {
                _ = try LearnBenchmark().importTruth(phantom, into: project, voxels: 200_000)
            }
            let volume = try MultiscaleVolume.open(at: project.volumeURL)
            var run = TrainingRun(project: project, volume: volume, spec: spec,
                                  configuration: ForestConfiguration(treeCount: 50, maxDepth: 12, maxSamples: 100_000))
            run.crossValidates = false
            run.stages = stages
            let ((_, record), seconds) = try BenchSupport.time { try run.run() }
            id = record.id
            trainingSeconds = seconds
        }
        let (forest, _) = try library.load(id)
        let store = SegmentationStore(projectURL: url, id: id)
        try? FileManager.default.removeItem(at: store.folder)

        // Measure the segmentation's own peak: reset the kernel's high-water mark (Linux ≥ 4.0).
        try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
        let budget = try ByteCount(parsing: memory)
        let volume = try MultiscaleVolume.open(at: project.volumeURL, cache: ChunkCache(byteBudget: min(64 << 20, budget.bytes / 8)))
        var options = SegmentationJob.Options()
        options.blockSide = block
        options.workers = workers
        options.memory = budget
        let job = SegmentationJob(projectURL: url, id: id, forest: forest, volume: volume, options: options)
        let result = try job.run()
        let peak = BenchSupport.peakResidentMegabytes()

        // Agreement with the phantom's truth, slab by slab.
        let labels = try ZarrArray.open(at: store.levelZeroURL)
        var agree = 0
        var z = 0
        while z < depth {
            let range = z..<min(z + 32, depth)
            let got = try labels.read(Box(z: range, y: 0..<size, x: 0..<size), as: UInt8.self).elements
            let truth = phantom.truthSlices(range).elements
            for i in got.indices where got[i] == truth[i] { agree += 1 }
            z = range.upperBound
        }
        let voxels = phantom.shape.voxelCount
        let object: [String: Any] = [
            "benchmark": "segment", "scan": "fossil phantom \(phantom.shape) u8", "features": spec.featureCount, "dimensionality": features,
            "halo": forest.halo, "stages": forest.stageCount, "trees": forest.treeCount, "max_depth": forest.configuration.maxDepth,
            "block": try job.grid().side, "blocks": result.blocksTotal, "memory_budget_mb": Double(budget.bytes) / 1_048_576,
            "workers": result.budget.concurrency, "slab_slices": result.budget.slabDepth,
            "seconds": result.seconds, "mvox_per_s": Double(voxels) / result.seconds / 1e6,
            "peak_rss_mb": peak, "pyramid_levels": result.levels, "accuracy_vs_truth": Double(agree) / Double(voxels),
            "training_s": trainingSeconds ?? NSNull(), "cores": ProcessInfo.processInfo.activeProcessorCount,
        ]
        if let writeInputs {
            try Self.writeInputs(to: URL(fileURLWithPath: writeInputs), phantom: phantom, project: project)
        }
        if json {
            try BenchSupport.printJSON(object)
        } else {
            print(String(format: "segmented %@ in %.1f s: %.2f Mvoxel/s, peak RSS %.0f MB (budget %@), accuracy %.4f",
                         phantom.shape.description, result.seconds, Double(voxels) / result.seconds / 1e6, peak,
                         budget.description, Double(agree) / Double(voxels)))
        }
    }

    /// scan.u8, labels.u8 (the project's sparse labels the model was trained on; 0 = unlabelled),
    /// truth.u8 and shape.json, written slab by slab.
    static func writeInputs(to folder: URL, phantom: FossilPhantom, project: Project) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let labels = try ZarrArray.open(at: project.url.appendingPathComponent(LabelStore.folderName))
        let shape = phantom.shape
        let names = ["scan.u8", "labels.u8", "truth.u8"]
        let handles = try names.map { name -> FileHandle in
            let url = folder.appendingPathComponent(name)
            _ = FileManager.default.createFile(atPath: url.path, contents: nil)
            return try FileHandle(forWritingTo: url)
        }
        defer { for h in handles { try? h.close() } }
        var z = 0
        while z < shape.z {
            let range = z..<min(z + 32, shape.z)
            guard case .u8(let scan) = try phantom.readSlices(range) else { throw CocoaError(.fileWriteUnknown) }
            let sparse = try labels.read(Box(z: range, y: 0..<shape.y, x: 0..<shape.x), as: UInt8.self)
            let truth = phantom.truthSlices(range)
            for (h, elements) in zip(handles, [scan.elements, sparse.elements, truth.elements]) {
                try h.write(contentsOf: elements.withUnsafeBufferPointer { Data(buffer: $0) })
            }
            z = range.upperBound
        }
        let meta: [String: Any] = ["z": shape.z, "y": shape.y, "x": shape.x, "dtype": "uint8", "files": names]
        try JSONSerialization.data(withJSONObject: meta, options: [.sortedKeys])
            .write(to: folder.appendingPathComponent("shape.json"))
    }
}
