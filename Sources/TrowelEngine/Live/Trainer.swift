import Foundation
import TrowelML
import TrowelVolume

/// What the background trainer reports, on its own thread.
public enum TrainerEvent: Sendable {
    case phase(String, Double)
    case trained(RandomForest, ModelRecord)
    /// Background selection finished: `recipe` had the best held-out score, `margin` above the
    /// recipe trained before it (nil when it was already that recipe or nothing could be scored).
    case selected(recipe: String, margin: Double?)
    case failed(String)
}

/// Trains in the background whenever asked, latest request wins, in steps so the overlay updates
/// at once: first gather the labels, compute features at labelled voxels (cached, so a new stroke
/// costs only its own voxels), train the current recipe and save a checkpoint — the same
/// `TrainingRun` as `trowel train` — and report it; then cross-validate, save the scores and
/// report it again; then, while no newer request waits, cross-validate the other candidate recipes
/// (as `trowel train --auto`) and, when one scores higher, train it, report it and keep it as the
/// recipe the next request trains first. Only one training runs per project at a time
/// (`TrainingLock`, across sessions and `trowel train`): a request waits for the other's, and
/// uses the model it made when that learned from the same strokes.
public final class Trainer: Sendable {
    private let worker: LatestWinsWorker<Int>
    private let counter = Counter()
    private let state: TrainerState

    /// `recipe` is trained first; `candidates` (may include it) are compared after each run.
    public init(project: Project, volume: MultiscaleVolume, recipe: TrainingRecipe = .standard,
                candidates: [TrainingRecipe] = TrainingRecipe.candidates,
                onEvent: @escaping @Sendable (TrainerEvent) -> Void) {
        let state = TrainerState(current: recipe)
        self.state = state
        worker = LatestWinsWorker(label: "trowel.trainer") { _, isSuperseded in
            do {
                let known = try ModelLibrary(project: project).ids()
                var waited = false
                guard let lock = try TrainingLock.acquire(project: project, isCancelled: isSuperseded, waiting: { holder in
                    waited = true
                    onEvent(.phase("waiting for \(holder)", 0))
                }) else { return }
                defer { withExtendedLifetime(lock) {} }
                if waited, let (forest, record) = try ModelLibrary(project: project).reusable(besides: known) {
                    onEvent(.trained(forest, record))
                    return
                }
                let current = state.current
                let spec = try current.spec(for: project, volume: volume)
                var run = try TrainingRun(project: project, volume: volume, recipe: current,
                                          cache: state.cache(for: spec, volume: volume))
                let quick = current.stages == 1
                run.crossValidates = !quick
                run.tunesDecision = true
                let (forest, record) = try run.run(progress: { phase, fraction in onEvent(.phase(phase, fraction)) },
                                                   isCancelled: isSuperseded)
                onEvent(.trained(forest, record))
                guard !isSuperseded() else { return }
                var scored = record
                // Compared with the other candidates before any decision tuning, as they are.
                var plain = record.decision?.plainScore ?? RecipeSelection.score(record.metrics)
                if quick {
                    let predictions = try run.predictHeldOut(progress: { onEvent(.phase("validation", $0)) },
                                                             isCancelled: isSuperseded)
                    scored.metrics = predictions?.metrics
                    plain = RecipeSelection.score(scored.metrics)
                    // The walker prior first; decision weights only for a forest deciding alone.
                    var field: WalkerField?
                    if let predictions, let tuned = try WalkerPrior.tuneAndSolve(
                        predictions, volume: volume, record: try project.record(), isCancelled: isSuperseded) {
                        scored.walkerPrior = tuned.prior
                        field = tuned.field
                        if field != nil, let m = tuned.prior.tunedMetrics { scored.metrics = m }
                    }
                    let decided = field != nil ? forest : try DecisionTuning.decide(forest, record: &scored, from: predictions)
                    try ModelLibrary(project: project).save(decided, record: scored, walker: field)
                    onEvent(.trained(decided, scored))
                }

                let others = candidates.filter { $0 != current }
                guard !others.isEmpty, !isSuperseded(), let own = plain else { return }
                let selection = try RecipeSelection.choose(
                    project: project, volume: volume, among: others, folds: run.folds,
                    cache: { _, spec in state.cache(for: spec, volume: volume) },
                    progress: { i, fraction in onEvent(.phase("comparing", (Double(i) + fraction) / Double(others.count))) },
                    isCancelled: isSuperseded)
                let best = selection.candidates[selection.chosenIndex]
                guard let score = best.score, score > own else {
                    onEvent(.selected(recipe: current.name, margin: nil))
                    return
                }
                var betterRun = selection.chosenRun
                betterRun.tunesDecision = true
                betterRun.tunesWalkerPrior = true
                let (better, betterRecord) = try betterRun.run(
                    progress: { phase, fraction in onEvent(.phase(phase, fraction)) }, isCancelled: isSuperseded)
                state.current = best.recipe
                onEvent(.trained(better, betterRecord))
                onEvent(.selected(recipe: best.recipe.name, margin: score - own))
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

    /// The recipe the next request trains first.
    public var currentRecipe: TrainingRecipe { state.current }
}

/// The trainer's memory between requests: the recipe that won last, and a feature cache per
/// feature specification so comparing candidates again costs only the new strokes' voxels.
final class TrainerState: @unchecked Sendable {
    private let lock = NSLock()
    private var recipe: TrainingRecipe
    private var caches: [FeatureSpec: FeatureCache] = [:]

    init(current: TrainingRecipe) { recipe = current }

    var current: TrainingRecipe {
        get { lock.withLock { recipe } }
        set { lock.withLock { recipe = newValue } }
    }

    func cache(for spec: FeatureSpec, volume: MultiscaleVolume) -> FeatureCache {
        lock.withLock {
            if let c = caches[spec] { return c }
            let c = FeatureCache(volume: volume, spec: spec)
            caches[spec] = c
            return c
        }
    }
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
