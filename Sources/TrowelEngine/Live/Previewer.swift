import Foundation
import TrowelML
import TrowelVolume

/// A region of one slice to predict, full-resolution in-plane coordinates.
public struct PreviewRequest: Sendable, Equatable {
    public var axis: Axis
    public var index: Int
    public var rows: Range<Int>
    public var columns: Range<Int>

    public init(axis: Axis, index: Int, rows: Range<Int>, columns: Range<Int>) {
        self.axis = axis
        self.index = index
        self.rows = rows
        self.columns = columns
    }
}

/// The hypothesis for a region: class per voxel, probabilities and uncertainty, from one model.
public struct Preview: Sendable {
    public var request: PreviewRequest
    public var modelID: String
    public var probabilities: ClassProbabilities
}

/// Predicts what the screen shows in the background with the current model, latest request wins,
/// so scrolling through slices never queues up stale predictions.
public final class Previewer: Sendable {
    private let slot = ModelSlot()
    private let worker: LatestWinsWorker<PreviewRequest>

    public init(volume: MultiscaleVolume, onPreview: @escaping @Sendable (Preview) -> Void,
                onFailure: @escaping @Sendable (String) -> Void) {
        let slot = self.slot
        worker = LatestWinsWorker(label: "trowel.previewer") { request, _ in
            guard let (forest, id) = slot.model else { return }
            let prior = slot.prior
            do {
                let box = Box.slice(axis: request.axis, at: request.index, of: volume.shape, rows: request.rows,
                                    columns: request.columns)
                let probabilities = try Predictor(forest: forest, volume: volume, prior: prior).predict(box)
                onPreview(Preview(request: request, modelID: id, probabilities: probabilities))
            } catch {
                onFailure("preview failed: \(error)")
            }
        }
    }

    /// Makes `forest` (with the walker prior its model adopted, if any) the model previews use.
    public func use(_ forest: RandomForest, id: String, prior: WalkerPrior.Applied? = nil) {
        slot.set((forest, id), prior: prior)
    }

    /// The id of the model previews use, if any.
    public var modelID: String? { slot.model?.1 }

    /// The model previews use, if any.
    public var model: (RandomForest, String)? { slot.model }

    /// The walker prior of the model previews use, if it adopted one.
    public var prior: WalkerPrior.Applied? { slot.prior }

    /// Predicts `request` when the worker is free (a newer request replaces this one if it waits).
    public func request(_ request: PreviewRequest) {
        guard slot.model != nil else { return }
        worker.submit(request)
    }
}

/// The current model, shared between the UI thread and the preview worker.
final class ModelSlot: @unchecked Sendable {
    private let lock = NSLock()
    private var value: (RandomForest, String)?
    private var walker: WalkerPrior.Applied?

    /// The walker prior of the model in the slot.
    var prior: WalkerPrior.Applied? {
        lock.lock()
        defer { lock.unlock() }
        return walker
    }

    /// Puts a model and its prior in the slot at once.
    func set(_ model: (RandomForest, String)?, prior: WalkerPrior.Applied?) {
        lock.lock()
        value = model
        walker = prior
        lock.unlock()
    }

    var model: (RandomForest, String)? {
        get {
            lock.lock()
            defer { lock.unlock() }
            return value
        }
        set {
            lock.lock()
            value = newValue
            lock.unlock()
        }
    }
}
