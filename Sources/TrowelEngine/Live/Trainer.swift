import Foundation
import TrowelML
import TrowelVolume

/// What the background trainer reports, on its own thread.
public enum TrainerEvent: Sendable {
    case phase(String, Double)
    case trained(RandomForest, ModelRecord)
    case failed(String)
}

/// Trains in the background whenever asked, latest request wins, in two steps so the overlay
/// updates at once: first gather the labels, compute features at labelled voxels (cached, so a new
/// stroke costs only its own voxels), train and save a checkpoint — the same `TrainingRun` as
/// `trowel train` — and report it; then cross-validate (unless a newer request is waiting), save
/// the scores with the checkpoint and report it again.
public final class Trainer: Sendable {
    private let worker: LatestWinsWorker<Int>
    private let counter = Counter()

    public init(project: Project, volume: MultiscaleVolume, spec: FeatureSpec, configuration: ForestConfiguration,
                onEvent: @escaping @Sendable (TrainerEvent) -> Void) {
        let cache = FeatureCache(volume: volume, spec: spec)
        worker = LatestWinsWorker(label: "trowel.trainer") { _, isSuperseded in
            var run = TrainingRun(project: project, volume: volume, spec: spec, configuration: configuration, cache: cache)
            run.crossValidates = false
            do {
                let (forest, record) = try run.run(progress: { phase, fraction in onEvent(.phase(phase, fraction)) },
                                                   isCancelled: isSuperseded)
                onEvent(.trained(forest, record))
                guard !isSuperseded() else { return }
                var scored = record
                scored.metrics = try run.validate(progress: { onEvent(.phase("validation", $0)) }, isCancelled: isSuperseded)
                try ModelLibrary(project: project).save(forest, record: scored)
                onEvent(.trained(forest, scored))
            } catch LearningError.cancelled {
                // A newer request is waiting; it runs next.
            } catch {
                onEvent(.failed("training failed: \(error)"))
            }
        }
    }

    /// Asks for a training run with the labels as they are now.
    public func request() { worker.submit(counter.next()) }

    public var isTraining: Bool { worker.isBusy }
}

/// A thread-safe increasing number.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func next() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value
    }
}
