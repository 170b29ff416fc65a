import TrowelEngine
import TrowelVolume

/// Facts about the scan that the screen shows and that never change during a session.
public struct ScanInfo: Equatable, Sendable {
    public var name: String
    public var shape: Shape
    public var dtype: DType
    public var voxelSize: VoxelSize
    public var levelCount: Int
    public var values: ValueSummary

    public init(name: String, shape: Shape, dtype: DType, voxelSize: VoxelSize, levelCount: Int, values: ValueSummary) {
        self.name = name
        self.shape = shape
        self.dtype = dtype
        self.voxelSize = voxelSize
        self.levelCount = levelCount
        self.values = values
    }
}

/// A class as the screen draws it.
public struct ClassStyle: Equatable, Sendable {
    public var id: Int
    public var name: String
    public var color: RGB

    public init(id: Int, name: String, color: RGB) {
        self.id = id
        self.name = name
        self.color = color
    }
}

/// What painting does now.
public enum Tool: String, Equatable, Sendable {
    case brush, eraser, fill
}

/// An overlay drawn above the slice view.
public enum Overlay: Equatable, Sendable {
    case help
    case tasks(selected: Int)
    case models(selected: Int)
    case jobs(selected: Int)
    /// The `:` command line, with what has been typed so far.
    case prompt(String)
}

/// The whole state of the interactive session. `App.view(state)` draws it; `App.update` changes it.
public struct AppState: Sendable {
    public var scan: ScanInfo
    public var classes: [ClassStyle]
    public var viewport: Viewport
    public var contrast: Contrast
    public var colorMode: ColorMode
    public var theme: Theme
    public var themes: [Theme]
    public var keymap: Keymap

    public var tool = Tool.brush
    public var brushRadius = 2
    public var activeClass = 1
    public var penDown = false
    /// Where the current stroke last painted (full-resolution in-plane row, column), while one is open.
    public var strokeLast: (row: Int, column: Int)?
    /// Which button drags the current mouse stroke (left paints, right erases).
    public var strokeErases = false

    /// The key under which `images` holds the minimap's whole-slice image.
    public static let minimapPane = 1000

    /// The main slice (key 0), context slices (keys −1 and +1) and the minimap, as loaded.
    public var images: [Int: SliceImage] = [:]
    /// Reads asked for and not answered yet, so a burst of messages does not ask twice.
    public var pendingSlices: [Int: SliceRequest] = [:]
    public var pendingLabels: (axis: Axis, index: Int)?
    public var labels: LabelSlice?
    public var labelCounts: [Int: Int] = [:]
    public var canUndo = false
    public var canRedo = false
    public var showLabels = true
    public var labelOpacity = 0.55
    /// Distance of the context slices shown beside the main one (0 = none).
    public var contextDistance = 0

    // Learning.
    public var prediction: Prediction?
    /// The model's proposal for the current task.
    public var proposal: Proposal?
    public var pendingPrediction: PreviewRegion?
    public var predictionStyle = PredictionStyle.fill
    public var showUncertainty = false
    public var models: [ModelSummary] = []
    public var currentModel: String?
    /// The phase and progress of a training run in the background.
    public var training: (phase: String, fraction: Double)?
    /// Ticks left before labels that changed are trained on (debounce); nil when nothing is due.
    public var trainCountdown: Int?
    /// True when labels changed after the current model was trained.
    public var labelsChangedSinceModel = false

    /// Finished segmentations of the project (ids), and the one overlaid instead of the live model.
    public var segmentations: [String] = []
    public var reviewedSegmentation: String?

    /// Label interpolation between labelled slices, and whether its overlay is shown.
    public var interpolation = InterpolationState()
    /// The taxon panel: probability bars per taxon for this slice and the specimen.
    public var identify = IdentifyState()

    /// The project served over HTTP by `:serve`, if it is.
    public var serve = ServeState()
    /// `:match FILE`: where an image lies in the scan, outlined over its slice.
    public var match = MatchState()
    /// The other sessions painting this project.
    public var collab = CollabState()

    /// What the overlay shows: the live model's hypothesis, or a finished segmentation under review.
    public var overlayID: String? { reviewedSegmentation.map { "segmentation \($0)" } ?? currentModel }

    /// Background jobs of this session, oldest first.
    public var jobs: [JobStatus] = []
    /// Set by a first `q` while a job runs; a second `q` quits.
    public var quitArmed = false

    public var screen: (width: Int, height: Int)
    /// How the slice panes reach the screen: half-block cells, or pixels through an image protocol.
    public var graphics = GraphicsProtocol.cells
    /// The terminal's cell size in pixels when `graphics` draws pixels (half-blocks: 1 × 2).
    public var cellPixels = (width: 1, height: 2)
    public var overlay: Overlay?
    /// The 3D view over the main pane (`D`), nil for the slice view.
    public var view3D: View3DState?
    /// How many times the 3D view was opened (each opening reads the labels again).
    public var view3DOpenings = 0
    public var message: String?
    public var messageIsError = false
    public var readOnly = false
    /// Why the session is read-only (no permission to write in the project).
    public var readOnlyReason = "you have no permission to write in this project"
    public var task: AnnotationTask?
    public var tasks: [AnnotationTask] = []
    public var quitting = false

    public init(scan: ScanInfo, classes: [ClassStyle], screen: (width: Int, height: Int), colorMode: ColorMode,
                theme: Theme = .dark, themes: [Theme] = [.dark], keymap: Keymap = .standard) {
        self.scan = scan
        self.classes = classes
        self.screen = screen
        self.colorMode = colorMode
        self.theme = theme
        self.themes = themes
        self.keymap = keymap
        let layout = Layout(width: screen.width, height: screen.height, contextPanes: 0)
        viewport = Viewport(volumeShape: scan.shape, size: layout.paneSize)
        contrast = Contrast(low: scan.values.low, high: scan.values.high)
    }

    /// The style of class `id` (a grey placeholder for a label without a class).
    public func style(ofClass id: Int) -> ClassStyle {
        classes.first { $0.id == id } ?? ClassStyle(id: id, name: "class \(id)", color: RGB(grey: 160))
    }

    /// The summary of the model the overlay shows.
    public var currentModelSummary: ModelSummary? { models.first { $0.id == currentModel } }

    public var layout: Layout {
        Layout(width: screen.width, height: screen.height, contextPanes: contextDistance > 0 ? 2 : 0,
               cellPixels: graphics.drawsPixels ? cellPixels : (1, 2))
    }
}
