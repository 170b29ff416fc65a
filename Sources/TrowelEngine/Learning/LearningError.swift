/// Why training, a checkpoint, an import or an evaluation failed. Each message is one line that
/// says what to do.
public enum LearningError: Error, CustomStringConvertible, Equatable {
    case noLabels
    case oneClass(String)
    case cancelled
    case unknownModel(String, available: Int)
    case noModels
    case corruptModel(String, String)
    case labelVolume(String)
    /// A labels chunk is missing or does not decode: training would silently lose its labels.
    case damagedLabels(project: String, damage: String)
    case importShape(file: String, found: Shape3, expected: Shape3)
    case importValue(file: String, value: Double, slice: Int, classes: String)
    case importNotInteger(file: String, value: Double, slice: Int)
    case unknownClass(String, classes: String)
    case projectBusy(String)
    case truthShape(file: String, found: Shape3, expected: Shape3)
    case truthValue(file: String, value: Double)
    case sliceRange(String, depth: Int)
    case autocontextNeedsFolds

    /// A shape as text, kept separate from `TrowelVolume.Shape` so the error stays `Equatable` and small.
    public typealias Shape3 = String

    /// A value from a file as the user would write it: `7`, `-3`, `0.37`, `1e+300`, `nan`.
    static func number(_ v: Double) -> String {
        if v.isFinite, v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return v.isNaN ? "nan" : "\(v)"
    }

    public var description: String {
        switch self {
        case .noLabels:
            return "no labelled voxels yet; paint some strokes or import labels with 'trowel labels import'"
        case .oneClass(let name):
            return "only '\(name)' is labelled; label at least two classes to train"
        case .cancelled:
            return "training cancelled"
        case .unknownModel(let id, let available):
            return available == 0 ? "no model '\(id)': the project has no models yet; train one with 'trowel train'"
                : "no model '\(id)' among the project's \(available) model(s); see the models/ folder or the Models panel"
        case .noModels:
            return "the project has no models yet; train one with 'trowel train'"
        case .corruptModel(let id, let why):
            return "model \(id) cannot be read: \(why)"
        case .damagedLabels(let p, let damage):
            return "\(p)/\(damage); run 'trowel labels check \(p) --rebuild' to rebuild it from the stroke log"
        case .labelVolume(let why):
            return why
        case .importShape(let file, let found, let expected):
            return "\(file): label volume is \(found), the scan is \(expected); labels must match the scan voxel for voxel"
        case .importValue(let file, let value, let slice, let classes):
            return "\(file): label value \(Self.number(value)) is not a class of the project (0 = unlabelled, \(classes); first on slice \(slice)); use --class for a binary mask; nothing was imported"
        case .importNotInteger(let file, let value, let slice):
            return "\(file): label values must be whole class ids, but slice \(slice) holds \(Self.number(value)) (a probability map or a scan?); threshold it or use --class for a binary mask; nothing was imported"
        case .unknownClass(let name, let classes):
            return "no class '\(name)' in the project (\(classes))"
        case .projectBusy(let holder):
            return "the project is open for annotation by \(holder); close that session first"
        case .truthShape(let file, let found, let expected):
            return "\(file): ground truth is \(found), the scan is \(expected)"
        case .truthValue(let file, let value):
            return "\(file): ground-truth value \(value) is not a label value (0…255)"
        case .autocontextNeedsFolds:
            return "autocontext needs every class labelled in at least two places far enough apart (e.g. two slices) to train each stage out of fold; label another slice or use --stages 1"
        case .sliceRange(let text, let depth):
            return "--slices \(text): give a:b with 0 ≤ a < b ≤ \(depth)"
        }
    }
}
