import Foundation
import TrowelEngine
import TrowelVolume

/// The interactive application as two pure functions: `update` turns a message into a new state
/// and the effects to perform; `view` draws a state. The terminal loop and the engine are outside.
public enum App {
    /// Applies `message` to `state` and returns the effects the driver must perform, including the
    /// slice and label reads the new view needs.
    public static func update(_ state: inout AppState, _ message: Message) -> [Effect] {
        var effects: [Effect] = []
        switch message {
        case .input(.resize(let width, let height)):
            state.screen = (width, height)
            state.viewport.resize(width: state.layout.paneSize.width, height: state.layout.paneSize.height)
            effects.append(.redraw)
        case .input(.key(let key)):
            effects += handle(key, &state)
        case .input(.mouse(let mouse)):
            effects += handle(mouse, &state)
        case .sliceLoaded(let image, let offset):
            state.images[offset] = image
            if state.pendingSlices[offset].map({ image.covers($0) }) ?? false { state.pendingSlices[offset] = nil }
        case .labelsLoaded(let slice, let counts, let canUndo, let canRedo):
            if slice.axis == state.viewport.axis && slice.index == state.viewport.slice { state.labels = slice }
            if let p = state.pendingLabels, p.axis == slice.axis && p.index == slice.index { state.pendingLabels = nil }
            state.labelCounts = counts
            state.canUndo = canUndo
            state.canRedo = canRedo
        case .classesLoaded(let classes):
            state.classes = classes
            if !classes.contains(where: { $0.id == state.activeClass }), let first = classes.first { state.activeClass = first.id }
        case .taskStarted(let task):
            effects += endStroke(&state)
            state.task = task
            state.viewport.setAxis(task.axis)
            var c = state.viewport.cursor
            c[task.axis] = task.slice
            state.viewport.placeCursor(at: c)
            // A task is labelled with its neighbouring slices in view.
            if state.contextDistance == 0 { setContext(1, &state) }
            state.viewport.focus(rows: task.rows, columns: task.columns)
            state.proposal = nil
            if let model = state.currentModel, !task.submitted {
                effects.append(.propose(taskID: task.id, modelID: model))
                say(&state, "task \(task.id): the model's proposal is dotted; correct it, then Enter accepts (n for another)")
            } else {
                say(&state, "task \(task.id): label this patch, then Enter to submit (n for another)")
            }
        case .tasksLoaded(let tasks):
            state.tasks = tasks
            if let current = state.task, let updated = tasks.first(where: { $0.id == current.id }) { state.task = updated }
        case .trainingProgress(let phase, let fraction):
            state.training = (phase, fraction)
        case .modelTrained(let summary):
            // The same model comes twice: first as soon as it is trained, then with its held-out scores.
            let first = state.currentModel != summary.id
            state.training = first && summary.f1 == nil ? ("validation", 0) : nil
            state.models.removeAll { $0.id == summary.id }
            state.models.append(summary)
            state.currentModel = summary.id
            if state.trainCountdown == nil { state.labelsChangedSinceModel = false }
            if let f1 = summary.f1 {
                let scores = state.classes.compactMap { c in f1[c.id].map { "\(c.name) F1 \(format2($0))" } }.joined(separator: ", ")
                say(&state, "model \(summary.id): " + (scores.isEmpty ? "no held-out voxels of these classes" : scores + " (held out)"))
            } else {
                say(&state, "model \(summary.id): " + (first ? "scoring it on held-out slices…"
                                                           : "label two or more slices to score it on held-out data"))
            }
        case .trainingStopped(let why):
            state.training = nil
            say(&state, why, error: true)
        case .recipeChosen(let recipe, let margin):
            state.training = nil
            if let margin { say(&state, "held-out F1 chose \(recipe): \(String(format: "%+.3f", margin)) over the model before") }
        case .modelsLoaded(let models, let current):
            state.models = models
            if let current { state.currentModel = current }
        case .proposalLoaded(let proposal):
            if state.task?.id == proposal.taskID { state.proposal = proposal }
        case .predictionLoaded(let prediction):
            if state.pendingPrediction.map({ $0.axis == prediction.axis && $0.index == prediction.index }) ?? false {
                state.pendingPrediction = nil
            }
            if prediction.axis == state.viewport.axis && prediction.index == state.viewport.slice {
                state.prediction = prediction
            }
        case .segmentationsLoaded(let ids):
            state.segmentations = ids
        case .goToSlice(let index):
            effects += endStroke(&state)
            state.viewport.step(slices: index - state.viewport.slice)
            say(&state, "slice \(state.viewport.axis) \(index): the most uncertain voxels of this segmentation")
        case .jobUpdated(let job):
            if let i = state.jobs.firstIndex(where: { $0.id == job.id }) { state.jobs[i] = job } else { state.jobs.append(job) }
            switch (job.kind, job.state) {
            case (.interpolation, _):
                effects += interpolation(.job(job), &state)
            case (.segmentation, .finished):
                say(&state, "\(job.title): done; R overlays it for review, trowel mesh and export use it")
                effects.append(.listSegmentations)
            case (.segmentation, .failed(let why)): say(&state, "\(job.title) failed: \(why)", error: true)
            case (.segmentation, .running), (.segmentation, .cancelled): break
            }
        case .interpolation(let event):
            effects += interpolation(event, &state)
        case .identify(let event):
            effects += identify(event, &state)
        case .serve(let event):
            effects += serve(event, &state)
        case .match(let event):
            effects += match(event, &state)
        case .collab(let event):
            effects += collab(event, &state)
        case .notice(let text):
            say(&state, text)
        case .failure(let text):
            say(&state, text, error: true)
        case .rendered3D(let frame):
            received3D(frame, &state)
        case .tick:
            if let poll = state.collab.tick() { effects.append(poll) }
            // Keys have stopped turning the 3D view: the full frame replaces the coarse one.
            if state.view3D?.moving == true { state.view3D?.moving = false }
            if let n = state.trainCountdown, state.strokeLast == nil {
                if n <= 1 {
                    state.trainCountdown = nil
                    effects.append(.train)
                } else {
                    state.trainCountdown = n - 1
                }
            }
        }
        effects += render3DIfNeeded(&state)
        let reads = loads(for: state)
        for effect in reads {
            switch effect {
            case .loadSlice(let request): state.pendingSlices[request.offset] = request
            case .loadLabels(let axis, let index): state.pendingLabels = (axis, index)
            case .predict(let region): state.pendingPrediction = region
            case .loadInterpolation(let id, let axis, let index):
                state.interpolation.pending = InterpolationState.SliceKey(id: id, axis: axis, index: index)
            case .identifySlice(let axis, let index):
                state.identify.pending = (axis, index)
            case .loadSegmentation(let id, let axis, let index):
                let plane = state.scan.shape.plane(across: axis)
                state.pendingPrediction = PreviewRegion(axis: axis, index: index, rows: 0..<plane.rows, columns: 0..<plane.columns,
                                                        modelID: "segmentation \(id)")
            default: break
            }
        }
        return effects + reads
    }

    // MARK: - Keys

    static func handle(_ key: Key, _ state: inout AppState) -> [Effect] {
        switch state.overlay {
        case .prompt(let text)?:
            return handlePrompt(key, text, &state)
        case .help?:
            state.overlay = nil
            return []
        case .tasks(let selected)?:
            return handleTaskList(key, selected, &state)
        case .models(let selected)?:
            return handleModelList(key, selected, &state)
        case .jobs(let selected)?:
            return handleJobList(key, selected, &state)
        case nil:
            break
        }
        if let effects = handle3D(key, &state) { return effects }
        guard let command = state.keymap.command(for: key) else {
            if key != .escape { say(&state, "\(key) does nothing here; ? lists the keys") }
            return []
        }
        state.message = nil
        if command != .quit { state.quitArmed = false }
        return perform(command, &state)
    }

    static func perform(_ command: Command, _ state: inout AppState) -> [Effect] {
        var v = state.viewport
        defer { state.viewport = v }
        switch command {
        case .cursorLeft: return moveCursor(rows: 0, columns: -1, &state, &v)
        case .cursorRight: return moveCursor(rows: 0, columns: 1, &state, &v)
        case .cursorUp: return moveCursor(rows: -1, columns: 0, &state, &v)
        case .cursorDown: return moveCursor(rows: 1, columns: 0, &state, &v)
        case .panLeft: v.pan(rows: 0, columns: -0.25)
        case .panRight: v.pan(rows: 0, columns: 0.25)
        case .panUp: v.pan(rows: -0.25, columns: 0)
        case .panDown: v.pan(rows: 0.25, columns: 0)
        case .zoomIn: v.zoom(by: 1)
        case .zoomOut: v.zoom(by: -1)
        case .zoomFit: v.fit()
        case .previousSlice, .nextSlice, .previousSlices, .nextSlices:
            let delta = command == .previousSlice ? -1 : command == .nextSlice ? 1 : command == .previousSlices ? -10 : 10
            let effects = endStroke(&state)
            v.step(slices: delta)
            return effects
        case .cycleAxis:
            let effects = endStroke(&state)
            v.cycleAxis()
            return effects
        case .view3D:
            state.viewport = v
            let effects = endStroke(&state) + toggle3D(&state)
            v = state.viewport
            return effects
        case .contextToggle:
            let steps = [0, 1, 2, 5]
            state.viewport = v
            setContext(steps[((steps.firstIndex(of: state.contextDistance) ?? 0) + 1) % steps.count], &state)
            v = state.viewport
            say(&state, state.contextDistance == 0 ? "context slices off" : "context: slices ±\(state.contextDistance)")
        case .brush, .eraser, .fill:
            state.tool = command == .brush ? .brush : command == .eraser ? .eraser : .fill
            say(&state, state.tool == .fill ? "fill: paints only voxels inside the contrast window" : "\(state.tool.rawValue)")
        case .penToggle:
            if state.penDown {
                state.penDown = false
                return endStroke(&state)
            }
            state.penDown = true
            state.strokeErases = false
            return paint(at: v.cursor, newStroke: true, &state)
        case .brushSmaller, .brushLarger:
            let r = state.brushRadius
            let step = max(1, r / 4)
            state.brushRadius = max(0, min(64, command == .brushLarger ? r + step : r - step))
        case .class1, .class2, .class3, .class4, .class5, .class6, .class7, .class8, .class9:
            let n = command.classNumber!
            guard state.classes.contains(where: { $0.id == n }) else {
                say(&state, "no class \(n); add one with  :class add NAME", error: true)
                return []
            }
            state.activeClass = n
            if state.tool == .eraser { state.tool = .brush }
            say(&state, "painting \(state.style(ofClass: n).name)")
        case .otsuSlice:
            guard !state.readOnly else { return readOnlyRefusal(&state) }
            let effects = endStroke(&state)
            labelsChanged(&state)
            return effects + [.thresholdSlice(axis: v.axis, index: v.slice)]
        case .undo, .redo:
            guard !state.readOnly else { return readOnlyRefusal(&state) }
            let effects = endStroke(&state)
            labelsChanged(&state)
            return effects + [command == .undo ? .undo : .redo]
        case .autoContrast:
            if let image = state.images[0], let c = Contrast.auto(for: image.values) {
                state.contrast = c
                say(&state, "contrast from this slice: \(format(c.low)) … \(format(c.high))")
            }
        case .windowNarrower: state.contrast = state.contrast.scaled(by: 0.8)
        case .windowWider: state.contrast = state.contrast.scaled(by: 1.25)
        case .levelDown: state.contrast = state.contrast.shifted(by: -0.05)
        case .levelUp: state.contrast = state.contrast.shifted(by: 0.05)
        case .overlayToggle:
            state.showLabels.toggle()
            say(&state, state.showLabels ? "labels shown" : "labels hidden")
        case .overlayOpacity:
            let steps = [0.3, 0.55, 0.8, 1.0]
            state.labelOpacity = steps[((steps.firstIndex(of: state.labelOpacity) ?? 0) + 1) % steps.count]
            say(&state, "overlay opacity \(Int(state.labelOpacity * 100)) %")
        case .trainNow:
            state.trainCountdown = nil
            return endStroke(&state) + [.train]
        case .predictionToggle:
            let all = PredictionStyle.allCases
            state.predictionStyle = all[((all.firstIndex(of: state.predictionStyle) ?? 0) + 1) % all.count]
            say(&state, state.currentModel == nil ? "no model yet: paint both classes, it trains when you pause (or t)"
                : "model overlay: \(state.predictionStyle.rawValue)")
        case .uncertaintyToggle:
            state.showUncertainty.toggle()
            say(&state, state.showUncertainty ? "uncertainty: bright where the model hesitates" : "uncertainty off")
        case .modelList:
            state.overlay = .models(selected: max(0, state.models.count - 1))
        case .segmentVolume:
            guard let model = state.currentModel else {
                say(&state, "no model yet: paint both classes and let it train (or t)", error: true)
                return []
            }
            guard !state.jobs.contains(where: { $0.isRunning && $0.isOwn && $0.kind == .segmentation }) else {
                say(&state, "a segmentation is already running: g shows it")
                return []
            }
            say(&state, "segmenting the whole scan with model \(model) in the background: g shows progress")
            return [.segment(modelID: model)]
        case .jobList:
            state.overlay = .jobs(selected: max(0, state.jobs.count - 1))
        case .interpolate:
            return endStroke(&state) + interpolation(.toggle, &state)
        case .identify:
            return identify(.toggle, &state)
        case .reviewSegmentation:
            if state.reviewedSegmentation != nil {
                state.reviewedSegmentation = nil
                say(&state, state.currentModel == nil ? "overlay: no model yet" : "overlay: the live model")
            } else if let newest = state.segmentations.last {
                state.reviewedSegmentation = newest
                state.predictionStyle = state.predictionStyle == .off ? .fill : state.predictionStyle
                say(&state, "reviewing segmentation \(newest): paint corrections (they become labels); :worst finds doubtful slices")
            } else {
                say(&state, "no finished segmentation yet: S segments the scan", error: true)
            }
            state.prediction = nil
        case .nextTask:
            return endStroke(&state) + [.newTask(axis: v.axis, size: 128)]
        case .submitTask:
            guard let task = state.task, !task.submitted else {
                say(&state, "no open task; n starts one")
                return []
            }
            let effects = endStroke(&state)
            if let proposal = state.proposal, proposal.taskID == task.id {
                state.proposal = nil
                return effects + [.acceptProposal(proposal)]
            }
            return effects + [.submitTask(task.id)]
        case .taskList:
            state.overlay = .tasks(selected: 0)
        case .cycleTheme:
            if let i = state.themes.firstIndex(where: { $0.name == state.theme.name }), !state.themes.isEmpty {
                state.theme = state.themes[(i + 1) % state.themes.count]
            } else if let first = state.themes.first {
                state.theme = first
            }
            say(&state, "theme \(state.theme.name)")
        case .help:
            state.overlay = .help
        case .commandLine:
            state.overlay = .prompt("")
        case .redraw:
            return [.redraw]
        case .quit:
            if let job = state.jobs.last(where: { $0.isRunning && $0.isOwn }), !state.quitArmed {
                state.quitArmed = true
                say(&state, job.kind == .interpolation ? "an interpolation is running: q again quits (it is lost; I runs it again)"
                    : "a segmentation is running: q again quits (finished blocks are kept; trowel segment continues it)", error: true)
                return []
            }
            state.quitting = true
            return endStroke(&state) + [.quit]
        }
        return []
    }

    /// Shows context slices ±`distance` (0: none): the panes change, so the main pane is resized
    /// and context images are read again.
    static func setContext(_ distance: Int, _ state: inout AppState) {
        state.contextDistance = distance
        state.images = state.images.filter { $0.key == 0 || $0.key == AppState.minimapPane }
        let size = state.layout.paneSize
        state.viewport.resize(width: size.width, height: size.height)
    }

    static func moveCursor(rows: Int, columns: Int, _ state: inout AppState, _ v: inout Viewport) -> [Effect] {
        v.moveCursor(rows: rows, columns: columns)
        guard state.penDown else { return [] }
        return paint(at: v.cursor, newStroke: state.strokeLast == nil, &state)
    }

    // MARK: - Painting

    /// Paints at `voxel` (on the current slice), drawing a line from the last dab of the stroke.
    static func paint(at voxel: Index3, newStroke: Bool, _ state: inout AppState) -> [Effect] {
        guard !state.readOnly else { return readOnlyRefusal(&state) }
        let v = state.viewport
        let (ra, ca) = v.axis.planeAxes
        let erase = state.tool == .eraser || state.strokeErases
        let dab = PaintDab(axis: v.axis, slice: v.slice, row: voxel[ra], column: voxel[ca], radius: state.brushRadius,
                           value: erase ? 0 : UInt8(state.activeClass),
                           window: state.tool == .fill && !erase ? state.contrast.low...state.contrast.high : nil)
        let dabs = newStroke || state.strokeLast == nil ? [dab] : dab.line(from: state.strokeLast!.row, state.strokeLast!.column)
        state.strokeLast = (dab.row, dab.column)
        return [.paint(dabs, newStroke: newStroke || state.strokeLast == nil)]
    }

    static func endStroke(_ state: inout AppState) -> [Effect] {
        guard state.strokeLast != nil else { return [] }
        state.strokeLast = nil
        state.strokeErases = false
        labelsChanged(&state)
        return [.endStroke]
    }

    /// Labels changed: train once painting pauses for `trainDelayTicks` ticks.
    static func labelsChanged(_ state: inout AppState) {
        state.labelsChangedSinceModel = true
        state.trainCountdown = trainDelayTicks
        _ = interpolation(.labelsChanged, &state)
    }

    /// Ticks (250 ms each) without a stroke before training starts by itself.
    public static let trainDelayTicks = 2

    static func readOnlyRefusal(_ state: inout AppState) -> [Effect] {
        say(&state, "read-only: \(state.readOnlyReason)", error: true)
        state.penDown = false
        return []
    }

    // MARK: - Mouse

    static func handle(_ mouse: MouseEvent, _ state: inout AppState) -> [Effect] {
        guard state.overlay == nil else {
            if mouse.action == .press { state.overlay = nil }
            return []
        }
        let layout = state.layout
        switch mouse.button {
        case .wheelUp, .wheelDown:
            let effects = endStroke(&state)
            state.viewport.step(slices: mouse.button == .wheelUp ? -1 : 1)
            return effects
        default:
            break
        }
        if mouse.action == .release {
            return endStroke(&state)
        }
        guard layout.viewRows.contains(mouse.row), mouse.row >= layout.imageTopRow,
              let pane = layout.panes.first(where: { $0.columns.contains(mouse.column) }) else { return [] }
        if pane.offset != 0 {
            // A click on a context pane goes to that slice.
            if mouse.action == .press {
                let effects = endStroke(&state)
                state.viewport.step(slices: pane.offset * state.contextDistance)
                return effects
            }
            return []
        }
        let (x, y) = layout.pixel(column: mouse.column, row: mouse.row, paneColumn: pane.columns.lowerBound)
        if state.view3D != nil {
            // A click on the 3D view goes to the voxel under it.
            guard mouse.action == .press, mouse.button == .left else { return [] }
            let frame = view3DSize(state), pane = state.viewport.size
            return jump3D(x: x * frame.width / max(1, pane.width), y: y * frame.height / max(1, pane.height), &state)
        }
        guard let voxel = state.viewport.voxelIndex(atScreenX: x, y: y) else { return [] }
        state.viewport.placeCursor(at: voxel)
        switch (mouse.button, mouse.action) {
        case (.left, .press), (.right, .press):
            var effects = endStroke(&state)
            state.strokeErases = mouse.button == .right
            effects += paint(at: voxel, newStroke: true, &state)
            return effects
        case (.left, .drag), (.right, .drag), (.none, .drag):
            guard state.strokeLast != nil else { return [] }
            return paint(at: voxel, newStroke: false, &state)
        default:
            return []
        }
    }

    // MARK: - Overlays

    /// What a key does in a list overlay: move the selection, choose the selected row, or close.
    enum ListAction {
        case select(Int), choose(Int), close
    }

    static func listAction(_ key: Key, selected: Int, count: Int) -> ListAction {
        switch key {
        case .character("j"), .down: return .select(min(max(0, count - 1), selected + 1))
        case .character("k"), .up: return .select(max(0, selected - 1))
        case .enter: return selected < count ? .choose(selected) : .close
        default: return .close
        }
    }

    static func handleTaskList(_ key: Key, _ selected: Int, _ state: inout AppState) -> [Effect] {
        switch listAction(key, selected: selected, count: state.tasks.count) {
        case .select(let i):
            state.overlay = .tasks(selected: i)
        case .choose(let i):
            state.overlay = nil
            return update(&state, .taskStarted(state.tasks[i]))
        case .close:
            state.overlay = nil
        }
        return []
    }

    static func handleModelList(_ key: Key, _ selected: Int, _ state: inout AppState) -> [Effect] {
        switch listAction(key, selected: selected, count: state.models.count) {
        case .select(let i):
            state.overlay = .models(selected: i)
        case .choose(let i):
            state.overlay = nil
            let id = state.models[i].id
            state.currentModel = id
            state.prediction = nil
            say(&state, "model \(id) is current")
            return [.useModel(id)]
        case .close:
            state.overlay = nil
        }
        return []
    }

    static func handleJobList(_ key: Key, _ selected: Int, _ state: inout AppState) -> [Effect] {
        if key == .character("c"), selected < state.jobs.count, state.jobs[selected].isRunning {
            let job = state.jobs[selected]
            guard job.isOwn else {
                say(&state, "\(job.title) runs in another session; it can be stopped there", error: true)
                return []
            }
            say(&state, "stopping \(job.title)" + (job.kind == .segmentation ? " after the current block" : ""))
            return [.cancelJob(job.id)]
        }
        switch listAction(key, selected: selected, count: state.jobs.count) {
        case .select(let i): state.overlay = .jobs(selected: i)
        case .choose, .close: state.overlay = nil
        }
        return []
    }

    static func handlePrompt(_ key: Key, _ text: String, _ state: inout AppState) -> [Effect] {
        switch key {
        case .escape:
            state.overlay = nil
        case .backspace:
            state.overlay = text.isEmpty ? nil : .prompt(String(text.dropLast()))
        case .enter:
            state.overlay = nil
            return run(commandLine: text, &state)
        case .character(let c):
            state.overlay = .prompt(text + String(c))
        default:
            break
        }
        return []
    }

    /// Runs a `:` command line.
    static func run(commandLine: String, _ state: inout AppState) -> [Effect] {
        let words = commandLine.split(separator: " ").map(String.init)
        guard let verb = words.first else { return [] }
        func classID(_ s: String) -> Int? {
            if let n = Int(s), state.classes.contains(where: { $0.id == n }) { return n }
            return state.classes.first { $0.name == s }?.id
        }
        switch (verb, words.count) {
        case ("class", 3...) where words[1] == "add":
            let color = words.count > 3 ? RGB(hex: words[3]) : nil
            if words.count > 3 && color == nil {
                say(&state, "colour \(words[3]) not understood: use #rrggbb", error: true)
                return []
            }
            return [.addClass(name: words[2], color: color)]
        case ("class", 4) where words[1] == "rename":
            guard let id = classID(words[2]) else { break }
            return [.renameClass(id: id, name: words[3])]
        case ("class", 4) where words[1] == "color" || words[1] == "colour":
            guard let id = classID(words[2]) else { break }
            guard let color = RGB(hex: words[3]) else {
                say(&state, "colour \(words[3]) not understood: use #rrggbb", error: true)
                return []
            }
            return [.recolorClass(id: id, color: color)]
        case ("theme", 2):
            guard let theme = state.themes.first(where: { $0.name == words[1] }) else {
                say(&state, "no theme \(words[1]); known: \(state.themes.map(\.name).joined(separator: ", "))", error: true)
                return []
            }
            state.theme = theme
            return []
        case ("slice", 2):
            guard let n = Int(words[1]) else { break }
            let effects = endStroke(&state)
            state.viewport.step(slices: n - state.viewport.slice)
            return effects
        case ("seg", 1), ("seg", 2):
            if words.count == 2 && words[1] == "off" {
                state.reviewedSegmentation = nil
            } else {
                let id = words.count == 2 ? words[1] : state.segmentations.last
                guard let id, state.segmentations.contains(id) else {
                    say(&state, "no finished segmentation \(words.count == 2 ? words[1] : ""); known: \(state.segmentations.joined(separator: ", "))",
                        error: true)
                    return []
                }
                state.reviewedSegmentation = id
            }
            state.prediction = nil
            return []
        case ("identify", 2...):
            return identify(.choose(words.dropFirst().joined(separator: " ")), &state)
        case ("interpolate", 1):
            return endStroke(&state) + interpolation(.run, &state)
        case ("serve", 1):
            return serve(.start(port: ServeState.defaultPort), &state)
        case ("serve", 2) where words[1] == "off" || words[1] == "stop":
            return serve(.stop, &state)
        case ("serve", 2):
            guard let port = Int(words[1]), (1...65535).contains(port) else {
                say(&state, "serve \(words[1]): give a port between 1 and 65535, or off", error: true)
                return []
            }
            return serve(.start(port: port), &state)
        case ("match", 2...):
            let file = words.dropFirst().joined(separator: " ")
            return match(file == "off" ? .hide : .run(file: file), &state)
        case ("worst", 1):
            guard let id = state.reviewedSegmentation else {
                say(&state, "review a segmentation first (R or :seg ID)", error: true)
                return []
            }
            return [.findUncertainSlice(id: id, axis: state.viewport.axis)]
        case ("q", 1), ("quit", 1):
            return perform(.quit, &state)
        default:
            break
        }
        say(&state, "not understood: \(commandLine)  (? lists the commands)", error: true)
        return []
    }

    // MARK: - Loading

    /// Reads the view needs and does not have: the visible part of each pane's slice at the zoom's
    /// pyramid level (with a margin, so small pans need no read), and the labels of the main slice.
    public static func loads(for state: AppState) -> [Effect] {
        guard !state.layout.isTooSmall else { return [] }
        var effects: [Effect] = []
        let v = state.viewport
        let level = v.pyramidLevel(available: state.scan.levelCount)
        var levelShape = state.scan.shape
        for _ in 0..<level { levelShape = Downsampler.halved(levelShape) }
        let (ra, ca) = v.axis.planeAxes
        let topLeft = v.voxel(atScreenX: 0, y: 0), bottomRight = v.voxel(atScreenX: v.size.width - 1, y: v.size.height - 1)
        func range(_ a: Double, _ b: Double, _ n: Int, margin: Int) -> Range<Int> {
            let lo = max(0, Int(a.rounded(.down)) >> level - margin)
            let hi = min(n, (Int(b.rounded(.down)) >> level) + 1 + margin)
            return lo..<max(lo, hi)
        }
        let needRows = range(topLeft.row, bottomRight.row, levelShape[ra], margin: 0)
        let needColumns = range(topLeft.column, bottomRight.column, levelShape[ca], margin: 0)
        guard !needRows.isEmpty, !needColumns.isEmpty else { return [] }
        let marginRows = max(8, needRows.count / 4), marginColumns = max(8, needColumns.count / 4)
        let offsets = state.contextDistance > 0 ? [0, -1, 1] : [0]
        for offset in offsets {
            let index = v.slice + offset * state.contextDistance
            guard index >= 0, index < v.sliceCount else { continue }
            let need = SliceRequest(axis: v.axis, index: index, level: level, rows: needRows, columns: needColumns, offset: offset)
            if let have = state.images[offset], have.covers(need) { continue }
            if let asked = state.pendingSlices[offset], asked.covers(need) { continue }
            effects.append(.loadSlice(SliceRequest(
                axis: v.axis, index: index, level: level,
                rows: range(topLeft.row, bottomRight.row, levelShape[ra], margin: marginRows),
                columns: range(topLeft.column, bottomRight.column, levelShape[ca], margin: marginColumns), offset: offset)))
        }
        // The minimap: the whole slice at the coarsest level.
        var coarse = state.scan.shape
        for _ in 0..<(state.scan.levelCount - 1) { coarse = Downsampler.halved(coarse) }
        let whole = SliceRequest(axis: v.axis, index: v.slice, level: state.scan.levelCount - 1, rows: 0..<coarse[ra],
                                 columns: 0..<coarse[ca], offset: AppState.minimapPane)
        if !(state.images[AppState.minimapPane]?.covers(whole) ?? false),
           !(state.pendingSlices[AppState.minimapPane].map { $0.covers(whole) } ?? false) {
            effects.append(.loadSlice(whole))
        }
        if let id = state.reviewedSegmentation {
            let have = state.prediction.map { $0.modelID == state.overlayID && $0.axis == v.axis && $0.index == v.slice } ?? false
            let asked = state.pendingPrediction.map { $0.modelID == state.overlayID && $0.axis == v.axis && $0.index == v.slice } ?? false
            if !have && !asked { effects.append(.loadSegmentation(id: id, axis: v.axis, index: v.slice)) }
        } else if let model = state.currentModel, state.predictionStyle != .off || state.showUncertainty {
            // The visible part first, then the whole slice (if it is not huge).
            let full = (rows: 0..<v.plane.rows, columns: 0..<v.plane.columns)
            func span(_ a: Double, _ b: Double, _ n: Int) -> Range<Int> {
                let lo = min(n, max(0, Int(a.rounded(.down)))), hi = max(0, min(n, Int(b.rounded(.down)) + 1))
                return lo..<max(lo, hi)
            }
            let visible = (rows: span(topLeft.row, bottomRight.row, full.rows.count),
                           columns: span(topLeft.column, bottomRight.column, full.columns.count))
            let have = state.prediction.flatMap { $0.modelID == model ? $0 : nil }
            let asked = state.pendingPrediction.flatMap { $0.modelID == model ? $0 : nil }
            func covered(_ r: Range<Int>, _ c: Range<Int>) -> Bool {
                [have as (any SliceRegion)?, asked].contains { $0?.covers(axis: v.axis, index: v.slice, rows: r, columns: c) ?? false }
            }
            if !visible.rows.isEmpty, !visible.columns.isEmpty {
                if !covered(visible.rows, visible.columns) {
                    effects.append(.predict(PreviewRegion(axis: v.axis, index: v.slice, rows: visible.rows, columns: visible.columns, modelID: model)))
                } else if full.rows.count * full.columns.count <= 1 << 20, !covered(full.rows, full.columns), asked == nil {
                    effects.append(.predict(PreviewRegion(axis: v.axis, index: v.slice, rows: full.rows, columns: full.columns, modelID: model)))
                }
            }
        }
        if let read = state.interpolation.load(axis: v.axis, index: v.slice) { effects.append(read) }
        if let read = state.identify.load(axis: v.axis, index: v.slice) { effects.append(read) }
        let pendingLabels = state.pendingLabels.map { $0.axis == v.axis && $0.index == v.slice } ?? false
        if (state.labels?.axis != v.axis || state.labels?.index != v.slice) && !pendingLabels {
            effects.append(.loadLabels(axis: v.axis, index: v.slice))
        }
        return effects
    }

    // MARK: - Helpers

    static func say(_ state: inout AppState, _ text: String, error: Bool = false) {
        state.message = text
        state.messageIsError = error
    }

    static func format2(_ v: Double) -> String { String(format: "%.2f", v) }

    static func format(_ v: Double) -> String {
        abs(v - v.rounded()) < 1e-9 && abs(v) < 1e12 ? String(Int(v.rounded())) : String(format: "%.4g", v)
    }
}
