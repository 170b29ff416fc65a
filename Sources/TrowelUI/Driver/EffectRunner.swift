import Foundation
import TrowelEngine
import TrowelVolume

/// Performs the effects `App.update` asks for against the engine and answers with messages: the
/// only place where the interactive screen touches the disk.
public final class EffectRunner {
    public let session: AnnotationSession
    let taskSize: Int
    let palette: [String]

    public init(session: AnnotationSession, taskSize: Int, palette: [String]) {
        self.session = session
        self.taskSize = taskSize
        self.palette = palette
    }

    /// The messages that answer `effect`; a failure becomes a `.failure` message, never a throw.
    public func perform(_ effect: Effect, state: AppState) -> [Message] {
        do {
            return try run(effect, state: state)
        } catch {
            return [.failure("\(error)")]
        }
    }

    private func run(_ effect: Effect, state: AppState) throws -> [Message] {
        switch effect {
        case .loadSlice(let r):
            let values = try session.values(axis: r.axis, index: r.index, level: r.level, rows: r.rows, columns: r.columns)
            return [.sliceLoaded(SliceImage(axis: r.axis, index: r.index, level: r.level, rows: r.rows, columns: r.columns,
                                            values: values), offset: r.offset)]
        case .loadLabels(let axis, let index):
            return [try labelsMessage(axis: axis, index: index)]
        case .paint(let dabs, let newStroke):
            try session.paint(dabs, newStroke: newStroke)
            return [try labelsMessage(axis: state.viewport.axis, index: state.viewport.slice)]
        case .endStroke:
            try session.labels.endStroke()
            return [try labelsMessage(axis: state.viewport.axis, index: state.viewport.slice)]
        case .undo, .redo:
            let done = effect == .undo ? try session.labels.undo() : try session.labels.redo()
            var messages = [try labelsMessage(axis: state.viewport.axis, index: state.viewport.slice)]
            if !done { messages.append(.notice("nothing to \(effect == .undo ? "undo" : "redo")")) }
            return messages
        case .newTask(let axis, _):
            let task = try session.tasks.newTask(axis: axis, size: taskSize, author: session.author)
            return [.taskStarted(task), .tasksLoaded(try session.tasks.all())]
        case .submitTask(let id):
            try session.labels.endStroke()
            try session.tasks.submit(id)
            return [.tasksLoaded(try session.tasks.all()), .notice("task \(id) submitted; n for the next one")]
        case .addClass(let name, let color):
            let c = try session.project.addClass(name: name, color: color?.hex, palette: palette)
            return [.classesLoaded(try classStyles()), .notice("added class \(c.id) \(c.name): press \(c.id) to paint it")]
        case .renameClass(let id, let name):
            try session.project.updateClass(id: id, name: name)
            return [.classesLoaded(try classStyles())]
        case .recolorClass(let id, let color):
            try session.project.updateClass(id: id, color: color.hex)
            return [.classesLoaded(try classStyles())]
        case .redraw, .quit:
            return []
        }
    }

    /// The labels of a slice with the current counts and undo state.
    public func labelsMessage(axis: Axis, index: Int) throws -> Message {
        let block = try session.labels.slice(axis: axis, at: index)
        let plane = session.volume.shape.plane(across: axis)
        return .labelsLoaded(LabelSlice(axis: axis, index: index, rows: plane.rows, columns: plane.columns, labels: block.elements),
                             counts: session.labels.counts, canUndo: session.labels.canUndo, canRedo: session.labels.canRedo)
    }

    /// The project's classes as the screen draws them.
    public func classStyles() throws -> [ClassStyle] {
        try session.project.classes().map { ClassStyle(id: $0.id, name: $0.name, color: RGB(hex: $0.color) ?? RGB(grey: 160)) }
    }
}

extension EffectRunner {
    /// Applies `message` and performs every effect it causes (and theirs) until nothing is left;
    /// returns the effects that the caller handles itself (`.quit`, `.redraw`).
    public func dispatch(_ message: Message, to state: inout AppState) -> [Effect] {
        var queue = [message]
        var forCaller: [Effect] = []
        while !queue.isEmpty {
            for effect in App.update(&state, queue.removeFirst()) {
                if effect == .quit || effect == .redraw { forCaller.append(effect) }
                queue += perform(effect, state: state)
            }
        }
        return forCaller
    }
}
