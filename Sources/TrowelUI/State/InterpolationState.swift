import TrowelEngine
import TrowelVolume

/// What a finished label interpolation did, as the screen shows it.
public struct InterpolationSummary: Equatable, Sendable {
    /// The segmentation it wrote (`segmentations/<id>.zarr`, which `trowel mesh`, `eval` and `export` read).
    public var id: String
    /// The z slices that had painted labels, ascending.
    public var labelledSlices: [Int]
    public var converged: Bool

    public init(id: String, labelledSlices: [Int], converged: Bool) {
        self.id = id
        self.labelledSlices = labelledSlices
        self.converged = converged
    }

    /// The slices between the first and the last labelled one that had no labels: the ones it filled.
    public var interpolatedSlices: Int {
        guard let first = labelledSlices.first, let last = labelledSlices.last else { return 0 }
        return last - first + 1 - labelledSlices.count
    }
}

/// One slice of an interpolation's labels, as read for the overlay.
public struct InterpolatedSlice: Equatable, Sendable {
    /// The interpolation (segmentation id) it belongs to.
    public var id: String
    public var labels: LabelSlice

    public init(id: String, labels: LabelSlice) {
        self.id = id
        self.labels = labels
    }
}

/// What happens to the interpolation: the user's commands, the background job's answers.
public enum InterpolationEvent: Sendable {
    /// `I`: show or hide the interpolation overlay; with no interpolation yet, run one.
    case toggle
    /// `:interpolate`: interpolate the labels as they are now (again).
    case run
    /// The background job changed (running, finished, stopped or failed).
    case job(JobStatus)
    /// The job wrote its segmentation.
    case finished(InterpolationSummary)
    case sliceLoaded(InterpolatedSlice)
    /// The user's labels changed: a result asked for before is out of date.
    case labelsChanged
}

/// Label interpolation in the viewer: a random walker seeded by the labelled slices fills the
/// slices between them in the background (`LabelInterpolation`), and its labels can be overlaid
/// instead of the model's hypothesis. Its own state and update function, apart from `App.update`.
public struct InterpolationState: Equatable, Sendable {
    /// Which slice of which interpolation.
    public struct SliceKey: Equatable, Sendable {
        public var id: String
        public var axis: Axis
        public var index: Int
    }

    /// What an update asks of the app: effects to perform, and a line for the status bar.
    public struct Reply: Equatable, Sendable {
        public var effects: [Effect] = []
        public var message: String?
        public var isError = false
    }

    /// True from the request until the job ends.
    public private(set) var isRunning = false
    /// The queue's id of the job running now.
    public private(set) var jobID: Int?
    /// The newest interpolation of this session.
    public private(set) var result: InterpolationSummary?
    /// The overlay shows the interpolation instead of the model's hypothesis.
    public private(set) var isShown = false
    /// The labels changed after the newest interpolation was asked for.
    public private(set) var isStale = false
    /// The overlay's slice, as read.
    public private(set) var slice: InterpolatedSlice?
    /// The slice asked for and not read yet, so a burst of messages does not ask twice.
    public var pending: SliceKey?

    public init() {}

    /// Applies `event`. `labelledClasses` names the classes that have painted voxels: a run needs two.
    public mutating func update(_ event: InterpolationEvent, labelledClasses: [String]) -> Reply {
        switch event {
        case .toggle:
            if isRunning { return Reply(message: "interpolating in the background (g shows it): the overlay appears when it is done") }
            guard let result else { return start(labelledClasses) }
            isShown.toggle()
            return Reply(message: isShown
                ? "overlay: interpolation \(result.id), \(result.interpolatedSlices) slices filled"
                    + (isStale ? " (labels changed since: :interpolate runs it again)" : "")
                : "overlay: the model's hypothesis (I shows the interpolation again)")
        case .run:
            if isRunning { return Reply(message: "an interpolation is already running: g shows it") }
            return start(labelledClasses)
        case .job(let job):
            switch job.state {
            case .running:
                isRunning = true
                jobID = job.id
                return Reply()
            case .finished:
                // The summary follows in `.finished`.
                return Reply()
            case .cancelled:
                stopped(job.id)
                return Reply(message: InterpolationError.cancelled.description)
            case .failed(let why):
                stopped(job.id)
                return Reply(message: why, isError: true)
            }
        case .finished(let summary):
            isRunning = false
            jobID = nil
            result = summary
            isShown = true
            slice = nil
            pending = nil
            let slices = summary.labelledSlices
            return Reply(effects: [.listSegmentations],
                         message: "\(summary.id): filled \(summary.interpolatedSlices) slices between \(slices.count) labelled,"
                            + " z \(slices.first ?? 0)…\(slices.last ?? 0); I toggles the overlay"
                            + (summary.converged ? "" : " (the solver did not converge)"))
        case .sliceLoaded(let loaded):
            let key = SliceKey(id: loaded.id, axis: loaded.labels.axis, index: loaded.labels.index)
            if pending == key { pending = nil }
            if loaded.id == result?.id { slice = loaded }
            return Reply()
        case .labelsChanged:
            if result != nil || isRunning { isStale = true }
            return Reply()
        }
    }

    private mutating func start(_ labelledClasses: [String]) -> Reply {
        guard !labelledClasses.isEmpty else {
            return Reply(message: InterpolationError.tooFewSlices(labelled: [], needed: 2).description, isError: true)
        }
        guard labelledClasses.count >= 2 else {
            return Reply(message: InterpolationError.tooFewClasses(labelledClasses).description, isError: true)
        }
        isRunning = true
        isStale = false
        return Reply(effects: [.interpolate],
                     message: "interpolating between the labelled slices in the background: g shows progress (c there stops it)")
    }

    private mutating func stopped(_ id: Int) {
        guard jobID == nil || jobID == id else { return }
        isRunning = false
        jobID = nil
    }

    /// The read the overlay needs to show slice `index` across `axis`, if any.
    public func load(axis: Axis, index: Int) -> Effect? {
        guard isShown, let result else { return nil }
        let key = SliceKey(id: result.id, axis: axis, index: index)
        if let s = slice, SliceKey(id: s.id, axis: s.labels.axis, index: s.labels.index) == key { return nil }
        if pending == key { return nil }
        return .loadInterpolation(id: result.id, axis: axis, index: index)
    }

    /// The interpolated labels to draw on slice `index` across `axis` (nil when hidden or not read yet).
    public func overlay(axis: Axis, index: Int) -> LabelSlice? {
        guard isShown, let s = slice, s.id == result?.id, s.labels.axis == axis, s.labels.index == index else { return nil }
        return s.labels
    }
}
