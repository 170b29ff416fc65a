import TrowelEngine
import TrowelVolume

/// A taxon model as the viewer shows it: its file, taxa and held-out score.
public struct TaxonModelInfo: Equatable, Sendable {
    public var file: String
    public var taxa: [String]
    /// The axes it was trained on ("z", or "z", "y", "x").
    public var axes: [String]
    /// Held-out specimen accuracy, when it was measured.
    public var specimenAccuracy: Double?

    public init(file: String, taxa: [String], axes: [String], specimenAccuracy: Double?) {
        self.file = file
        self.taxa = taxa
        self.axes = axes
        self.specimenAccuracy = specimenAccuracy
    }
}

/// One slice's taxa, ranked; nil `ranked` when the slice has too little fossil to describe.
public struct SliceTaxa: Equatable, Sendable {
    public var axis: Axis
    public var index: Int
    public var ranked: [TaxonIdentifier.Prediction.Ranked]?

    public init(axis: Axis, index: Int, ranked: [TaxonIdentifier.Prediction.Ranked]?) {
        self.axis = axis
        self.index = index
        self.ranked = ranked
    }
}

/// The specimen's taxa so far, ranked: the mean over the `slicesUsed` described slices of the
/// `slicesDone` of `slicesTotal` read.
public struct SpecimenTaxa: Equatable, Sendable {
    public var ranked: [TaxonIdentifier.Prediction.Ranked]
    public var slicesUsed: Int
    public var slicesDone: Int
    public var slicesTotal: Int

    public init(ranked: [TaxonIdentifier.Prediction.Ranked], slicesUsed: Int, slicesDone: Int, slicesTotal: Int) {
        self.ranked = ranked
        self.slicesUsed = slicesUsed
        self.slicesDone = slicesDone
        self.slicesTotal = slicesTotal
    }

    public var isComplete: Bool { slicesDone >= slicesTotal }
}

/// What happens to the taxon panel: the user's commands, the identifier's answers.
public enum IdentifyEvent: Sendable {
    /// `i`: show or hide the panel.
    case toggle
    /// `:identify FILE`: use this taxon model.
    case choose(String)
    case modelLoaded(TaxonModelInfo)
    case sliceIdentified(SliceTaxa)
    case specimenProgress(SpecimenTaxa)
    case failed(String)
}

/// The taxon panel: probability bars per taxon for the slice in view and for the whole specimen,
/// from a taxon model (`trowel identify train`) chosen with `:identify FILE` (remembered by the
/// project). Its own state and update function, apart from `App.update`.
public struct IdentifyState: Equatable, Sendable {
    /// What an update asks of the app: effects to perform, and a line for the status bar.
    public struct Reply: Equatable, Sendable {
        public var effects: [Effect] = []
        public var message: String?
        public var isError = false
    }

    public private(set) var isShown = false
    public private(set) var model: TaxonModelInfo?
    /// The newest slice answer (it may be of another slice than the one in view).
    public private(set) var slice: SliceTaxa?
    public private(set) var specimen: SpecimenTaxa?
    /// The slice asked for and not answered yet, so a burst of messages does not ask twice.
    public var pending: (axis: Axis, index: Int)?
    /// A model file asked for and not loaded yet.
    public private(set) var loading: String?

    public init() {}

    public static func == (a: IdentifyState, b: IdentifyState) -> Bool {
        a.isShown == b.isShown && a.model == b.model && a.slice == b.slice && a.specimen == b.specimen
            && a.pending?.axis == b.pending?.axis && a.pending?.index == b.pending?.index && a.loading == b.loading
    }

    /// Applies `event`.
    public mutating func update(_ event: IdentifyEvent) -> Reply {
        switch event {
        case .toggle:
            isShown.toggle()
            guard isShown else { return Reply(message: "taxon panel hidden (i shows it)") }
            if model == nil && loading == nil {
                return Reply(message: "no taxon model: :identify FILE uses one (made by trowel identify train)", isError: true)
            }
            return Reply(message: "taxon panel: this slice and the whole specimen (i hides it)")
        case .choose(let file):
            loading = file
            isShown = true
            return Reply(effects: [.loadTaxonModel(file)], message: "loading taxon model \(file)…")
        case .modelLoaded(let info):
            model = info
            loading = nil
            slice = nil
            specimen = nil
            pending = nil
            return Reply(message: "taxon model \(info.file): \(info.taxa.count) taxa; identifying the specimen in the background")
        case .sliceIdentified(let answer):
            if let p = pending, p.axis == answer.axis, p.index == answer.index { pending = nil }
            slice = answer
            return Reply()
        case .specimenProgress(let progress):
            specimen = progress
            return Reply()
        case .failed(let why):
            loading = nil
            pending = nil
            return Reply(message: why, isError: true)
        }
    }

    /// The request the panel needs to show slice `index` across `axis`, if any.
    public func load(axis: Axis, index: Int) -> Effect? {
        guard isShown, model != nil else { return nil }
        if let s = slice, s.axis == axis, s.index == index { return nil }
        if let p = pending, p.axis == axis, p.index == index { return nil }
        return .identifySlice(axis: axis, index: index)
    }

    /// The answer for slice `index` across `axis`, when it has come.
    public func taxa(axis: Axis, index: Int) -> SliceTaxa? {
        guard let s = slice, s.axis == axis, s.index == index else { return nil }
        return s
    }
}
