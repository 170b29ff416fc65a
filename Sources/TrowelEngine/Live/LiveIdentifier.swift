import Foundation
import TrowelML
import TrowelVolume

/// Identifies the taxon of the scan open in the viewer with a taxon model, off the UI thread, with
/// the descriptors of `trowel identify predict`: the slice being looked at (latest request wins)
/// and, on a thread of its own, the whole specimen slice by slice, reporting the running aggregate
/// as it goes. Slices the specimen pass has described are answered from its cache.
public final class LiveIdentifier: @unchecked Sendable {
    /// What the identifier found; probabilities are in `model.header.taxa` order.
    public enum Event: Sendable {
        /// One slice; nil probabilities when it has too little fossil to describe.
        case slice(axis: Axis, index: Int, probabilities: [Double]?)
        /// The specimen so far: the aggregate of the `slicesUsed` described slices of `slicesDone` read.
        case specimen(probabilities: [Double], slicesUsed: Int, slicesDone: Int, slicesTotal: Int)
        case failed(String)
    }

    public let model: TaxonModel
    let volume: MultiscaleVolume
    let onEvent: @Sendable (Event) -> Void
    private let lock = NSLock()
    private var threshold: Double??
    private var cache: [String: Identified?] = [:]
    private var stopped = false
    private var worker: LatestWinsWorker<SliceKey>!

    struct SliceKey: Sendable { var axis: Axis; var index: Int }
    /// A described slice's probabilities.
    struct Identified { var probabilities: [Double] }

    public init(model: TaxonModel, volume: MultiscaleVolume, onEvent: @escaping @Sendable (Event) -> Void) {
        self.model = model
        self.volume = volume
        self.onEvent = onEvent
        worker = LatestWinsWorker(label: "trowel.identify.slice") { [weak self] key, _ in
            guard let self, !self.isStopped else { return }
            do {
                self.onEvent(.slice(axis: key.axis, index: key.index, probabilities: try self.identified(axis: key.axis, index: key.index)?.probabilities))
            } catch {
                self.onEvent(.failed("\(error)"))
            }
        }
    }

    /// The axes the model was trained on.
    public var axes: [Axis] { model.header.axes.compactMap { ["z": Axis.z, "y": .y, "x": .x][$0] } }

    /// Asks for the probabilities of one slice (an `.slice` event answers).
    public func identify(axis: Axis, index: Int) {
        worker.submit(SliceKey(axis: axis, index: index))
    }

    /// Starts the specimen pass on a thread of its own: every slice along the model's axes, an
    /// `.specimen` event every few slices and at the end.
    public func identifySpecimen() {
        Thread.detachNewThread { [self] in
            let k = model.header.taxa.count
            let total = axes.reduce(0) { $0 + volume.shape[$1] }
            var rows: [Float] = [], used = 0, done = 0, posted = Date.distantPast
            do {
                for axis in axes {
                    for index in 0..<volume.shape[axis] {
                        if isStopped { return }
                        if let slice = try identified(axis: axis, index: index) {
                            rows += slice.probabilities.map { Float($0) }
                            used += 1
                        }
                        done += 1
                        if done == total || Date().timeIntervalSince(posted) > 0.25 {
                            posted = Date()
                            onEvent(.specimen(probabilities: TaxonIdentifier.mean(rows, taxa: k), slicesUsed: used, slicesDone: done, slicesTotal: total))
                        }
                    }
                }
            } catch {
                onEvent(.failed("\(error)"))
            }
        }
    }

    /// Stops the specimen pass and ignores slice requests not started yet.
    public func stop() {
        lock.lock()
        stopped = true
        lock.unlock()
    }

    private var isStopped: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopped
    }

    /// The probabilities of one slice (cached), nil when it has too little fossil.
    func identified(axis: Axis, index: Int) throws -> Identified? {
        let key = "\(axis)\(index)"
        lock.lock()
        if let hit = cache[key] { lock.unlock(); return hit }
        lock.unlock()
        let p = try descriptor(axis: axis, index: index).map { row in
            Identified(probabilities: TaxonIdentifier.probabilities(model.forest, rows: row, count: 1, taxa: model.header.taxa.count).map { Double($0) })
        }
        lock.lock()
        cache[key] = p
        lock.unlock()
        return p
    }

    /// One slice's descriptor with the specimen's threshold (computed once).
    private func descriptor(axis: Axis, index: Int) throws -> [Float]? {
        lock.lock()
        var t = threshold
        lock.unlock()
        if t == nil {
            let computed = try TaxonIdentifier.threshold(of: volume, descriptor: model.header.descriptor)
            lock.lock()
            threshold = .some(computed)
            lock.unlock()
            t = .some(computed)
        }
        return try TaxonIdentifier.describe(volume, axis: axis, index: index, descriptor: model.header.descriptor, threshold: t!)
    }
}
