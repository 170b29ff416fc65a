/// Everything a key can do. The one table that drives the keymap, the help screen and the
/// config file's remapping, so they can never disagree.
public enum Command: String, CaseIterable, Sendable {
    case cursorLeft = "cursor-left", cursorDown = "cursor-down", cursorUp = "cursor-up", cursorRight = "cursor-right"
    case panLeft = "pan-left", panDown = "pan-down", panUp = "pan-up", panRight = "pan-right"
    case zoomIn = "zoom-in", zoomOut = "zoom-out", zoomFit = "zoom-fit"
    case previousSlice = "slice-previous", nextSlice = "slice-next"
    case previousSlices = "slice-previous-10", nextSlices = "slice-next-10"
    case cycleAxis = "axis"
    case brush, eraser, fill
    case otsuSlice = "otsu-slice"
    case penToggle = "pen"
    case brushSmaller = "brush-smaller", brushLarger = "brush-larger"
    case class1 = "class-1", class2 = "class-2", class3 = "class-3", class4 = "class-4", class5 = "class-5"
    case class6 = "class-6", class7 = "class-7", class8 = "class-8", class9 = "class-9"
    case undo, redo
    case autoContrast = "auto-contrast"
    case windowNarrower = "window-narrower", windowWider = "window-wider"
    case levelDown = "level-down", levelUp = "level-up"
    case overlayToggle = "labels-toggle", overlayOpacity = "labels-opacity"
    case trainNow = "train", predictionToggle = "prediction", uncertaintyToggle = "uncertainty", modelList = "models"
    case segmentVolume = "segment", jobList = "jobs", reviewSegmentation = "review", interpolate, identify
    case contextToggle = "context"
    case view3D = "3d"
    case nextTask = "task-next", submitTask = "task-submit", taskList = "tasks"
    case cycleTheme = "theme"
    case help
    case commandLine = "command-line"
    case redraw
    case quit

    /// What the help screen groups it under.
    public enum Group: String, CaseIterable, Sendable {
        case move = "Move", slice = "Slice", paint = "Paint", look = "Look", model = "Model", tasks = "Tasks", app = "Trowel"
    }

    public var group: Group {
        switch self {
        case .cursorLeft, .cursorDown, .cursorUp, .cursorRight, .panLeft, .panDown, .panUp, .panRight,
             .zoomIn, .zoomOut, .zoomFit: return .move
        case .previousSlice, .nextSlice, .previousSlices, .nextSlices, .cycleAxis, .contextToggle: return .slice
        case .brush, .eraser, .fill, .otsuSlice, .penToggle, .brushSmaller, .brushLarger, .class1, .class2, .class3, .class4,
             .class5, .class6, .class7, .class8, .class9, .undo, .redo: return .paint
        case .autoContrast, .windowNarrower, .windowWider, .levelDown, .levelUp, .overlayToggle, .overlayOpacity,
             .cycleTheme, .predictionToggle, .uncertaintyToggle, .view3D: return .look
        case .nextTask, .submitTask, .taskList: return .tasks
        case .trainNow, .modelList, .segmentVolume, .jobList, .reviewSegmentation, .interpolate, .identify: return .model
        case .help, .commandLine, .redraw, .quit: return .app
        }
    }

    /// One line for the help screen.
    public var help: String {
        switch self {
        case .cursorLeft: return "cursor left (the view follows)"
        case .cursorDown: return "cursor down"
        case .cursorUp: return "cursor up"
        case .cursorRight: return "cursor right"
        case .panLeft: return "pan left"
        case .panDown: return "pan down"
        case .panUp: return "pan up"
        case .panRight: return "pan right"
        case .zoomIn: return "zoom in (up to 8 pixels per voxel)"
        case .zoomOut: return "zoom out"
        case .zoomFit: return "fit the slice to the screen"
        case .previousSlice: return "previous slice"
        case .nextSlice: return "next slice"
        case .previousSlices: return "10 slices back"
        case .nextSlices: return "10 slices on"
        case .cycleAxis: return "cycle the slice axis XY → XZ → YZ"
        case .contextToggle: return "show neighbouring slices for context"
        case .view3D: return "3D view of labels over the scan (arrows turn, + - zoom, Enter jumps)"
        case .brush: return "brush: paint the current class"
        case .eraser: return "eraser: remove labels"
        case .fill: return "fill: paint only voxels inside the contrast window"
        case .penToggle: return "pen down/up: paint while moving with the keys"
        case .brushSmaller: return "smaller brush"
        case .brushLarger: return "larger brush"
        case .class1, .class2, .class3, .class4, .class5, .class6, .class7, .class8, .class9:
            return "paint class \(classNumber!)"
        case .undo: return "undo the last stroke"
        case .redo: return "redo"
        case .autoContrast: return "auto-contrast (0.5–99.5 % of this slice)"
        case .windowNarrower: return "narrower contrast window"
        case .windowWider: return "wider contrast window"
        case .levelDown: return "darker (lower the level)"
        case .levelUp: return "brighter (raise the level)"
        case .overlayToggle: return "show/hide labels"
        case .overlayOpacity: return "cycle overlay opacity"
        case .trainNow: return "train now (it also trains by itself when you stop painting)"
        case .predictionToggle: return "model overlay: fill, outline, off"
        case .uncertaintyToggle: return "uncertainty map (1 − (p1 − p2)) instead of classes"
        case .modelList: return "models: list, compare, make one current"
        case .segmentVolume: return "segment the whole scan with the current model (background)"
        case .jobList: return "job queue: progress, rate, ETA; c stops a job"
        case .reviewSegmentation: return "overlay: live model ↔ newest finished segmentation (:seg ID, :worst)"
        case .otsuSlice: return "pre-fill the slice's unlabelled voxels from its Otsu threshold (class 1 above, 2 below; u undoes)"
        case .interpolate: return "fill the slices between labelled slices (background), then show/hide it (:interpolate reruns)"
        case .identify: return "taxon panel: probability bars per taxon, this slice and the specimen (:identify FILE picks the model)"
        case .nextTask: return "next annotation task (a random patch)"
        case .submitTask: return "submit the current task"
        case .taskList: return "list submitted tasks"
        case .cycleTheme: return "next colour theme"
        case .help: return "this help"
        case .commandLine: return "command line: class add NAME [#rrggbb], class rename N NAME, class color N #rrggbb, theme NAME, slice N, serve [PORT|off], match FILE (find an image in the scan; match off)"
        case .redraw: return "redraw the screen"
        case .quit: return "quit"
        }
    }

    /// The class a `classN` command selects.
    public var classNumber: Int? {
        switch self {
        case .class1: return 1
        case .class2: return 2
        case .class3: return 3
        case .class4: return 4
        case .class5: return 5
        case .class6: return 6
        case .class7: return 7
        case .class8: return 8
        case .class9: return 9
        default: return nil
        }
    }

    /// The keys bound by default (vim-flavoured, as in DESIGN.md).
    public var defaultKeys: [Key] {
        func c(_ s: Character) -> Key { .character(s) }
        switch self {
        case .cursorLeft: return [c("h"), .left]
        case .cursorDown: return [c("j"), .down]
        case .cursorUp: return [c("k"), .up]
        case .cursorRight: return [c("l"), .right]
        case .panLeft: return [c("H")]
        case .panDown: return [c("J")]
        case .panUp: return [c("K")]
        case .panRight: return [c("L")]
        case .zoomIn: return [c("+"), c("=")]
        case .zoomOut: return [c("-")]
        case .zoomFit: return [c("0")]
        case .previousSlice: return [c("["), .pageUp]
        case .nextSlice: return [c("]"), .pageDown]
        case .previousSlices: return [c("{")]
        case .nextSlices: return [c("}")]
        case .cycleAxis: return [c("x")]
        case .contextToggle: return [c("C")]
        case .view3D: return [c("D")]
        case .brush: return [c("b")]
        case .eraser: return [c("e")]
        case .fill: return [c("f")]
        case .penToggle: return [c(" ")]
        case .brushSmaller: return [c(",")]
        case .brushLarger: return [c(".")]
        case .class1, .class2, .class3, .class4, .class5, .class6, .class7, .class8, .class9:
            return [c(Character(String(classNumber!)))]
        case .undo: return [c("u")]
        case .redo: return [.control("r")]
        case .autoContrast: return [c("c")]
        case .windowNarrower: return [c("w")]
        case .windowWider: return [c("W")]
        case .levelDown: return [c("v")]
        case .levelUp: return [c("V")]
        case .overlayToggle: return [c("A")]
        case .overlayOpacity: return [c("o")]
        case .trainNow: return [c("t")]
        case .predictionToggle: return [c("p")]
        case .uncertaintyToggle: return [c("U")]
        case .modelList: return [c("m")]
        case .segmentVolume: return [c("S")]
        case .jobList: return [c("g")]
        case .reviewSegmentation: return [c("R")]
        case .interpolate: return [c("I")]
        case .otsuSlice: return [c("O")]
        case .identify: return [c("i")]
        case .nextTask: return [c("n")]
        case .submitTask: return [.enter]
        case .taskList: return [c("T")]
        case .cycleTheme: return [.control("t")]
        case .help: return [c("?")]
        case .commandLine: return [c(":")]
        case .redraw: return [.control("l")]
        case .quit: return [c("q")]
        }
    }
}
