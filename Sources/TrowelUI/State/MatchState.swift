import TrowelEngine
import TrowelML
import TrowelVolume

/// The best place `:match FILE` found for an image: the slice, the image's pose on it and size,
/// and the scores there.
public struct MatchedSection: Equatable, Sendable {
    public var file: String
    public var axis: Axis
    public var slice: Int
    public var pose: SectionPose
    /// The image's size in pixels (rows, columns).
    public var imageSize: (height: Int, width: Int)
    public var ssim: Double
    public var ncc: Double
    public var dice: Double

    public init(file: String, axis: Axis, slice: Int, pose: SectionPose, imageSize: (height: Int, width: Int),
                ssim: Double, ncc: Double, dice: Double) {
        self.file = file
        self.axis = axis
        self.slice = slice
        self.pose = pose
        self.imageSize = imageSize
        self.ssim = ssim
        self.ncc = ncc
        self.dice = dice
    }

    public static func == (a: MatchedSection, b: MatchedSection) -> Bool {
        a.file == b.file && a.axis == b.axis && a.slice == b.slice && a.pose == b.pose && a.imageSize == b.imageSize
            && a.ssim == b.ssim && a.ncc == b.ncc && a.dice == b.dice
    }
}

/// What happens to a section match: the user's command, the background search's answer.
public enum MatchEvent: Sendable {
    /// `:match FILE`: locate the image in the scan.
    case run(file: String)
    /// `:match off`: hide the outline.
    case hide
    case found(MatchedSection)
    /// The search found no slice with a shape to compare.
    case nothingFound(file: String)
    case failed(String)
}

/// `:match FILE` in the viewer: `SectionLocator` runs in the background; its best place becomes the
/// current axis and slice and the image's footprint is outlined over that slice. Its own state and
/// update function, apart from `App.update`.
public struct MatchState: Equatable, Sendable {
    /// What an update asks of the app: effects, a status line, and a slice to go to.
    public struct Reply: Equatable, Sendable {
        public var effects: [Effect] = []
        public var message: String?
        public var isError = false
        public var goTo: (axis: Axis, slice: Int)?

        public static func == (a: Reply, b: Reply) -> Bool {
            a.effects == b.effects && a.message == b.message && a.isError == b.isError
                && a.goTo?.axis == b.goTo?.axis && a.goTo?.slice == b.goTo?.slice
        }
    }

    /// The file being searched for, while the search runs.
    public private(set) var running: String?
    public private(set) var result: MatchedSection?
    public private(set) var isShown = false

    public init() {}

    public mutating func update(_ event: MatchEvent) -> Reply {
        switch event {
        case .run(let file):
            if let running { return Reply(message: "already matching \(running): wait for it") }
            running = file
            return Reply(effects: [.match(file: file)], message: "matching \(file) against every slice in the background…")
        case .hide:
            isShown = false
            return Reply(message: result == nil ? "no match to hide" : "match outline hidden (:match FILE runs another)")
        case .found(let m):
            running = nil
            result = m
            isShown = true
            return Reply(message: "\(m.file): \(m.axis) slice \(m.slice), "
                            + String(format: "%.1f° ×%.2f, SSIM %.2f NCC %.2f Dice %.2f", m.pose.angle, m.pose.scale, m.ssim, m.ncc, m.dice)
                            + " (outlined; :match off hides it)",
                         goTo: (m.axis, m.slice))
        case .nothingFound(let file):
            running = nil
            return Reply(message: "\(file): no slice has a shape to compare with it", isError: true)
        case .failed(let why):
            running = nil
            return Reply(message: why, isError: true)
        }
    }

    /// The matched image's corners on slice `index` across `axis` (in-plane voxel coordinates,
    /// voxel edges at integers), when the outline is shown and that is the matched slice.
    public func footprint(axis: Axis, index: Int, plane: (rows: Int, columns: Int)) -> [(row: Double, column: Double)]? {
        guard isShown, let m = result, m.axis == axis, m.slice == index else { return nil }
        return m.pose.footprint(image: m.imageSize, slice: (plane.rows, plane.columns)).map { ($0.row + 0.5, $0.column + 0.5) }
    }
}
