import ArgumentParser
import Foundation
import TrowelEngine
import TrowelML
import TrowelVolume

struct SegmentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "segment",
        abstract: "Segment the whole scan with a model into segmentations/<model-id>.zarr.",
        discussion: """
            Predicts blocks (default 128³) with the feature halo around each, so the result equals
            whole-volume prediction voxel for voxel, and writes uint8 class ids as OME-Zarr with a
            majority-vote pyramid. Finished blocks are recorded: after Ctrl-C, a crash or kill -9, run
            the same command again to continue. --shard k/N computes every N-th block, so N processes
            on a shared filesystem segment one scan together; the last to finish builds the pyramid.
            --probabilities also writes segmentations/<model-id>-probabilities.zarr/class-<id>/
            (uint8, probability × 255).
            """
    )

    @Argument(help: "The project folder.")
    var project: String

    @Option(help: "Model id (default: the newest model).")
    var model: String?

    @Option(help: "Memory cap for this process, e.g. 512M, 2G.")
    var memory = "1G"

    @Option(help: "Blocks computed at once (default: the number of cores).")
    var workers = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Compute block side in voxels (default: 512 for 2D features, 128 for 3D).")
    var block: Int?

    @Flag(help: "Also write uint8 probabilities per class.")
    var probabilities = false

    @Option(help: "Compute only shard k of N (k/N, 0-based): blocks i with i mod N = k.")
    var shard = "0/1"

    @Flag(help: "Print progress as JSON lines and a JSON summary.")
    var json = false

    func validate() throws {
        guard workers > 0 else { throw ValidationError("--workers must be positive") }
    }

    func run() throws {
        try reportingErrors {
            let shard = try Shard(parsing: self.shard)
            let budget = try ByteCount(parsing: memory)
            let project = try Project.open(at: URL(fileURLWithPath: self.project))
            try project.requireWritable(for: "segmenting")
            let library = ModelLibrary(project: project)
            guard let id = try model ?? library.latestID() else { throw LearningError.noModels }
            let (forest, record) = try library.load(id)
            let prior = try library.prior(for: record)
            // The scan's chunk cache is part of the budget: an eighth of it, at most 64 MB.
            let cache = ChunkCache(byteBudget: min(64 << 20, budget.bytes / 8))
            let volume = try MultiscaleVolume.open(at: project.volumeURL, cache: cache)
            var options = SegmentationJob.Options()
            options.blockSide = block
            options.workers = workers
            options.memory = budget
            options.probabilities = probabilities
            options.shard = shard
            let job = SegmentationJob(projectURL: project.url, id: id, forest: forest, volume: volume, prior: prior,
                                      options: options)
            _ = try job.budget()
            // One whole-volume run per model (a viewer's S takes the same lock); shards share it on purpose.
            var lock: SegmentationLock?
            if shard.count == 1 {
                switch try SegmentationLock.acquire(projectURL: project.url, id: id) {
                case .success(let taken): lock = taken
                case .failure(let held): throw SegmentationError.alreadyRunning(project: project.url.path, model: id, holder: held.holder)
                }
            }
            defer { withExtendedLifetime(lock) {} }
            Interrupts.install()
            let json = self.json
            let bar = ProgressBar(label: "segmenting", unit: "blocks")
            let result = try job.run(loggingTo: JobLog(project: project), progress: { p in
                if json {
                    var line: [String: Any] = ["blocks_done": p.blocksDone, "blocks_total": p.blocksTotal,
                                               "voxels_per_s": p.voxelsPerSecond, "elapsed_s": p.elapsed]
                    line["eta_s"] = p.secondsRemaining ?? NSNull()
                    if let text = try? MetricsText.serialize(line) { FileHandle.standardOutput.write(Data((text + "\n").utf8)) }
                } else {
                    Terminal.showProgress(bar.line(done: p.blocksDone, total: p.blocksTotal, bytes: p.voxelsComputed,
                                                   elapsed: p.elapsed, width: Terminal.width))
                }
            }, isCancelled: { Interrupts.isInterrupted })
            Terminal.clearProgressLine()
            let store = job.store
            // The clean-up the model adopted on its held-out slices, written beside the segmentation.
            var cleaned: (SegmentationStore, CleanupTuning.Step)?
            if result.complete, !result.cancelled, let c = record.cleanup, c.adopted, let step = c.step {
                let target = SegmentationStore(projectURL: project.url, id: id + "-cleaned")
                if PostProcessing.isInterruptedOutput(target) { try FileManager.default.removeItem(at: target.url) }
                if !target.isComplete {
                    if !json { Terminal.showProgress("cleaning up: \(step)") }
                    try step.postProcessing.apply(from: store, to: target, levelShapes: volume.levels.map(\.shape),
                                                  voxelSize: volume.voxelSize, workers: max(1, workers))
                    if !json { Terminal.clearProgressLine() }
                }
                cleaned = (target, step)
            }
            if json {
                var summary: [String: Any] = [
                    "model": id, "segmentation": store.url.path, "shard": shard.description,
                    "blocks_total": result.blocksTotal, "blocks_in_shard": result.blocksInShard,
                    "blocks_computed": result.blocksComputed, "blocks_already_done": result.blocksAlreadyDone,
                    "blocks_joined": result.blocksJoined,
                    "voxels_per_s": result.voxelsPerSecond, "seconds": result.seconds, "complete": result.complete,
                    "cancelled": result.cancelled, "levels": result.levels, "workers": result.budget.concurrency,
                    "slab_slices": result.budget.slabDepth, "probabilities": probabilities,
                    "peak_rss_mb": Double(ProcessMemory.peakResidentBytes) / 1_048_576,
                ]
                if let (target, step) = cleaned { summary["cleaned"] = ["segmentation": target.url.path, "step": step.description] }
                print(try MetricsText.serialize(summary))
            } else if !result.cancelled {
                let state = result.complete ? "complete" : "shard \(shard) done; other shards still running"
                let joined = result.blocksJoined > 0 ? ", \(result.blocksJoined) computed meanwhile by another run of this model" : ""
                print(String(format: "segmented %@ with model %@: %d block(s) computed, %d already done%@, %.1f Mvoxel/s, %.1f s (%@)",
                             store.url.path, id, result.blocksComputed, result.blocksAlreadyDone, joined,
                             result.voxelsPerSecond / 1e6, result.seconds, state))
                if let (target, step) = cleaned {
                    print("cleaned up as the model's held-out slices chose (\(step)): \(target.url.path)")
                }
            }
            if result.cancelled {
                FileHandle.standardError.write(Data("trowel: segmentation stopped; \(result.blocksAlreadyDone + result.blocksComputed + result.blocksJoined) of \(result.blocksInShard) blocks are saved, run the same command to continue\n".utf8))
                throw ExitCode(130)
            }
        }
    }
}
