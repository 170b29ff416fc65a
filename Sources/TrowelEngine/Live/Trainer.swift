import Foundation
import TrowelML
import TrowelVolume

/// What the background trainer reports, on its own thread.
public enum TrainerEvent: Sendable {
    case phase(String, Double)
    case trained(RandomForest, ModelRecord)
    case failed(String)
}

/// Trains in the background whenever asked, latest request wins: gathers the labels, computes
/// features at labelled voxels (cached, so a new stroke costs only its own voxels), cross-validates,
/// trains and saves a checkpoint — the same `TrainingRun` as `trowel train`.
public final class Trainer: Sendable {
    private let worker: LatestWinsWorker<Int>
    private let counter = Counter()

    public init(project: Project, volume: MultiscaleVolume, spec: FeatureSpec, configuration: ForestConfiguration,
                onEvent: @escaping @Sendable (TrainerEvent) -> Void) {
        let cache = FeatureCache(volume: volume, spec: spec)
        worker = LatestWinsWorker(label: "trowel.trainer") { _, isSuperseded in
            let run = TrainingRun(project: project, volume: volume, spec: spec, configuration: configuration, cache: cache)
            do {
                let (forest, record) = try run.run(progress: { phase, fraction in onEvent(.phase(phase, fraction)) },
                                                   isCancelled: isSuperseded)
                onEvent(.trained(forest, record))
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
