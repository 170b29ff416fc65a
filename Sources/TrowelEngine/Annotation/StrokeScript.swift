import Foundation
import TrowelVolume

/// A scripted list of strokes for `trowel labels paint`: headless painting through the same
/// `LabelStore` as the viewer (for scripts, tests and the collaboration benchmark). JSON: an array
/// of steps, each a stroke `{"axis": "z", "slice": 5, "value": 1, "radius": 2, "points": [[row, col], …]}`
/// (each point one paint batch, joined to the previous one by a line of dabs as a drag would be),
/// or `{"undo": true}` / `{"redo": true}` (this session's last stroke).
public struct StrokeScript: Sendable {
    public struct Step: Codable, Equatable, Sendable {
        public var axis: String?
        public var slice: Int?
        public var value: Int?
        public var radius: Int?
        public var points: [[Int]]?
        public var undo: Bool?
        public var redo: Bool?

        public init(axis: String = "z", slice: Int, value: Int, radius: Int, points: [[Int]]) {
            self.axis = axis
            self.slice = slice
            self.value = value
            self.radius = radius
            self.points = points
        }

        public init(undo: Bool) {
            if undo { self.undo = true } else { redo = true }
        }
    }

    /// What running the script did.
    public struct Outcome: Codable, Equatable, Sendable {
        public var author: String
        public var session: String
        /// Log ids of the strokes painted, in order.
        public var strokes: [Int64]
        /// Paint batches written (one per point).
        public var batches: Int
        public var undos: Int
        public var redos: Int
        public var seconds: Double
    }

    public var steps: [Step]

    public init(steps: [Step]) {
        self.steps = steps
    }

    /// Reads and checks the script in `url` against a scan of `shape`.
    public init(contentsOf url: URL, shape: Shape) throws {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw StrokeLogError.badScript(file: url.path, why: "cannot be read (\(error.localizedDescription))")
        }
        do { steps = try JSONDecoder().decode([Step].self, from: data) } catch {
            throw StrokeLogError.badScript(file: url.path, why: "not a JSON array of strokes (\(error))")
        }
        for (n, s) in steps.enumerated() where s.undo != true && s.redo != true {
            guard let a = s.axis.flatMap(Axis.init(name:)), let slice = s.slice, (0..<shape[a]).contains(slice) else {
                throw StrokeLogError.badScript(file: url.path, why: "step \(n + 1): needs an axis (z, y or x) and a slice inside the scan \(shape)")
            }
            guard let v = s.value, (0...255).contains(v), let points = s.points, !points.isEmpty, points.allSatisfy({ $0.count == 2 }) else {
                throw StrokeLogError.badScript(file: url.path, why: "step \(n + 1): needs a value 0…255 and points [[row, column], …]")
            }
            guard (0...64).contains(s.radius ?? 0) else {
                throw StrokeLogError.badScript(file: url.path, why: "step \(n + 1): radius must be 0…64")
            }
        }
    }

    /// Paints the steps with `store`, waiting `pause` seconds after each batch; `progress` is told
    /// each stroke's log id as it ends.
    public func run(on store: LabelStore, pause: Double = 0, progress: (Int64) -> Void = { _ in }) throws -> Outcome {
        let start = Date()
        var outcome = Outcome(author: store.author, session: store.session, strokes: [], batches: 0, undos: 0, redos: 0, seconds: 0)
        for step in steps {
            if step.undo == true {
                if try store.undo() { outcome.undos += 1 }
                continue
            }
            if step.redo == true {
                if try store.redo() { outcome.redos += 1 }
                continue
            }
            let axis = Axis(name: step.axis ?? "z")!
            var previous: (Int, Int)?
            for (i, p) in (step.points ?? []).enumerated() {
                let dab = PaintDab(axis: axis, slice: step.slice ?? 0, row: p[0], column: p[1], radius: step.radius ?? 0,
                                   value: UInt8(step.value ?? 0))
                let dabs = previous.map { dab.line(from: $0.0, $0.1) } ?? [dab]
                try store.paint(dabs, newStroke: i == 0) { _ in Block(shape: Shape(z: 1, y: 1, x: 1), repeating: 0) }
                outcome.batches += 1
                previous = (p[0], p[1])
                if pause > 0 { Thread.sleep(forTimeInterval: pause) }
            }
            try store.endStroke()
            if let id = store.lastStrokeID {
                outcome.strokes.append(id)
                progress(id)
            }
        }
        outcome.seconds = Date().timeIntervalSince(start)
        return outcome
    }
}

extension Axis {
    /// `z`, `y` or `x`.
    init?(name: String) {
        switch name.lowercased() {
        case "z": self = .z
        case "y": self = .y
        case "x": self = .x
        default: return nil
        }
    }
}
