import TrowelEngine
import TrowelVolume
@testable import TrowelUI

/// Performs effects against an in-memory scan, as the real driver does against the engine, so
/// update/view can be exercised end to end without a terminal or a disk.
struct FakeDriver {
    var levels: [Block<Float>]
    var labels: Block<UInt8>
    var undo: [[(Index3, UInt8)]] = []
    var redo: [[(Index3, UInt8)]] = []
    var log: [Effect] = []
    var modelsTrained = 0

    init(shape: Shape) {
        var base = Block<Float>(shape: shape, repeating: 0)
        for z in 0..<shape.z {
            for y in 0..<shape.y {
                for x in 0..<shape.x { base[z, y, x] = Float((x * 7 + y * 3 + z * 11) % 200) }
            }
        }
        levels = [base]
        while levels.last!.shape.largestSide >= 32 { levels.append(Downsampler.halve(levels.last!)) }
        labels = Block(shape: shape, repeating: 0)
    }

    var scan: ScanInfo {
        ScanInfo(name: "test.trowel", shape: levels[0].shape, dtype: .u8, voxelSize: .isotropic(10), levelCount: levels.count,
                 values: ValueSummary(minimum: 0, maximum: 199, mean: 100, low: 0, high: 199))
    }

    /// Sends `message`, then performs every effect (and the effects of their answers) until quiet.
    mutating func send(_ message: Message, to state: inout AppState) {
        var queue = [message]
        while !queue.isEmpty {
            let effects = App.update(&state, queue.removeFirst())
            for effect in effects {
                log.append(effect)
                queue += perform(effect, state)
            }
        }
    }

    mutating func press(_ keys: String, _ state: inout AppState) {
        for ch in keys { send(.input(.key(.character(ch))), to: &state) }
    }

    mutating func perform(_ effect: Effect, _ state: AppState) -> [Message] {
        switch effect {
        case .loadSlice(let r):
            let block = levels[r.level]
            let box = r.box(levelShape: block.shape)
            return [.sliceLoaded(SliceImage(axis: r.axis, index: r.index, level: r.level, rows: r.rows, columns: r.columns,
                                            values: block.cropped(to: box).elements), offset: r.offset)]
        case .loadLabels(let axis, let index):
            return [labelMessage(axis: axis, index: index)]
        case .paint(let dabs, let newStroke):
            if newStroke { undo.append([]); redo = [] }
            for dab in dabs {
                for (dr, dc) in dab.offsets {
                    let v = dab.voxel(dr: dr, dc: dc)
                    guard labels.shape.box.contains(v) else { continue }
                    if let w = dab.window, !w.contains(Double(levels[0][v])) { continue }
                    if labels[v] != dab.value {
                        undo[undo.count - 1].append((v, labels[v]))
                        labels[v] = dab.value
                    }
                }
            }
            return [labelMessage(axis: state.viewport.axis, index: state.viewport.slice)]
        case .undo, .redo:
            var from = effect == .undo ? undo : redo
            guard let stroke = from.popLast() else { return [.notice("nothing to \(effect == .undo ? "undo" : "redo")")] }
            var inverse: [(Index3, UInt8)] = []
            for (v, old) in stroke.reversed() {
                inverse.append((v, labels[v]))
                labels[v] = old
            }
            if effect == .undo { undo = from; redo.append(inverse) } else { redo = from; undo.append(inverse) }
            return [labelMessage(axis: state.viewport.axis, index: state.viewport.slice)]
        case .train:
            modelsTrained += 1
            let voxels = labels.elements.filter { $0 != 0 }.count
            return [.trainingProgress(phase: "training", fraction: 0.5),
                    .modelTrained(ModelSummary(id: "m\(modelsTrained)",
                                               scores: [1: ClassScores(precision: 0.9, recall: 0.8, f1: 0.8 + 0.05 * Double(modelsTrained),
                                                                       jaccard: 0.7, accuracy: 0.95),
                                                        2: ClassScores(precision: 0.9, recall: 0.9, f1: 0.9, jaccard: 0.8, accuracy: 0.95)],
                                               accuracy: 0.9, oobError: 0.01, trainingVoxels: voxels,
                                               recipe: "basic σ0.5–16 +raw"))]
        case .propose(let taskID, let modelID):
            guard let task = state.task, task.id == taskID else { return [] }
            let patch = task.rows.count * task.columns.count
            return [.proposalLoaded(Proposal(taskID: taskID, modelID: modelID, axis: task.axis, slice: task.slice, rows: task.rows,
                                             columns: task.columns, labels: [UInt8](repeating: 2, count: patch)))]
        case .newTask(let axis, let size):
            return [.taskStarted(AnnotationTask(id: 7, axis: axis, slice: 3, rows: 2..<(2 + min(size, 20)), columns: 4..<(4 + min(size, 20))))]
        case .segment(let modelID):
            return [.jobUpdated(JobStatus(id: 1, title: "segment \(modelID)", done: 3, total: 8, rate: 2e6, secondsRemaining: 12,
                                          state: .running))]
        case .predict(let region):
            // A fake model: bone where the scan is bright.
            let plane = levels[0].shape.plane(across: region.axis)
            _ = plane
            var classes: [UInt8] = [], probabilities: [Float] = [], uncertainty: [Float] = []
            for r in region.rows {
                for c in region.columns {
                    var v = Index3.zero
                    v[region.axis] = region.index
                    let (ra, ca) = region.axis.planeAxes
                    v[ra] = r
                    v[ca] = c
                    let p = Float(levels[0][v]) / 199
                    classes.append(p > 0.5 ? 1 : 2)
                    probabilities += [p, 1 - p]
                    uncertainty.append(1 - abs(2 * p - 1))
                }
            }
            return [.predictionLoaded(Prediction(axis: region.axis, index: region.index, rows: region.rows, columns: region.columns,
                                                 modelID: region.modelID, classIDs: [1, 2], labels: classes,
                                                 probabilities: probabilities, uncertainty: uncertainty))]
        case .render3D(let r):
            // Full resolution, as the real driver does for scans up to 160 voxels a side.
            // Surfaces: the painted labels, or the fake model's class (bone where bright) of the class asked for.
            var surface = labels.elements
            if case .prediction(_, let c) = r.surface {
                surface = levels[0].elements.map { v in (v / 199 > 0.5 ? 1 : 2) == c ? UInt8(c) : 0 }
            }
            let volume = RenderVolume(shape: levels[0].shape, level: 0, values: levels[0].elements, labels: surface)
            let result = VolumeRenderer.render(volume, camera: r.camera, width: r.width, height: r.height, step: r.step,
                                               window: (Float(r.window.low), Float(r.window.high)),
                                               classColors: Dictionary(uniqueKeysWithValues: state.classes.map { ($0.id, $0.color) }),
                                               ramp: (0..<256).map { RGB(grey: UInt8($0)) }, background: .black)
            let shape = levels[0].shape
            return [.rendered3D(Rendered3D(request: r, image: result.image, voxels: result.voxels.map { i in
                i < 0 ? nil : Index3(z: Int(i) / (shape.x * shape.y), y: (Int(i) / shape.x) % shape.y, x: Int(i) % shape.x)
            }))]
        case .serve(let port):
            // A port taken, as a real server would say it; any other starts.
            if port == 8000 { return [.serve(.failed("127.0.0.1:8000 is in use: pick another port with --port"))] }
            return [.serve(.started(ServeLink(url: "http://127.0.0.1:\(port)", tunnel: "ssh -L \(port):127.0.0.1:\(port) me@scanner",
                                             viewer: "http://127.0.0.1:\(port)/neuroglancer", port: port)))]
        case .stopServing:
            return [.serve(.stopped)]
        default:
            return []
        }
    }

    func labelMessage(axis: Axis, index: Int) -> Message {
        let box = Box.slice(axis: axis, at: index, of: labels.shape)
        let plane = labels.shape.plane(across: axis)
        var counts: [Int: Int] = [:]
        for l in labels.elements where l != 0 { counts[Int(l), default: 0] += 1 }
        return .labelsLoaded(LabelSlice(axis: axis, index: index, rows: plane.rows, columns: plane.columns,
                                        labels: labels.cropped(to: box).elements),
                             counts: counts, canUndo: !undo.isEmpty, canRedo: !redo.isEmpty)
    }
}
