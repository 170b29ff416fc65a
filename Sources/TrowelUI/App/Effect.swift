import TrowelEngine
import TrowelVolume

/// Side effects `update` asks for; the driver performs them and answers with messages.
public enum Effect: Equatable, Sendable {
    case loadSlice(SliceRequest)
    case loadLabels(axis: Axis, index: Int)
    /// Paint dabs; `newStroke` starts an undoable stroke.
    case paint([PaintDab], newStroke: Bool)
    /// The stroke is over: persist it.
    case endStroke
    case undo
    case redo
    case newTask(axis: Axis, size: Int)
    case submitTask(Int)
    case addClass(name: String, color: RGB?)
    case renameClass(id: Int, name: String)
    case recolorClass(id: Int, color: RGB)
    case redraw
    case quit
}
