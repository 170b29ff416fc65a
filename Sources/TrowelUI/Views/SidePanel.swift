import Foundation
import TrowelEngine
import TrowelVolume

/// The right-hand panel: where the cursor is, the value under it, contrast, paint settings,
/// classes with their labelled-voxel counts, the minimap and the current task.
struct SidePanel {
    let state: AppState
    /// Told where the minimap goes (for the pixel minimap, `minimapArea`).
    var recorder: MinimapRecorder? = nil

    func draw(into grid: inout CellGrid, painter: Painter) {
        let layout = state.layout
        let x0 = layout.panelColumn, width = Layout.panelWidth - 1
        let rows = layout.viewRows
        painter.fill(&grid, columns: (x0 - 1)..<layout.width, rows: rows, background: state.theme.panel)
        for r in rows { grid[x0 - 1, r] = Cell("│", foreground: painter.color(state.theme.dim), background: painter.color(state.theme.panel)) }
        var row = rows.lowerBound
        func line(_ text: String, _ color: RGB? = nil, bold: Bool = false) {
            guard row < rows.upperBound else { return }
            painter.text(&grid, text, column: x0, row: row, width: width, foreground: color, bold: bold)
            row += 1
        }
        func heading(_ title: String) {
            guard row < rows.upperBound else { return }
            line("─ \(title) " + String(repeating: "─", count: max(0, width - title.count - 3)), state.theme.dim)
        }
        let v = state.viewport
        let c = v.cursor
        let vs = state.scan.voxelSize
        line(state.scan.name, state.theme.accent, bold: true)
        line("\(v.axis.planeName)  \(v.axis) \(v.slice) of \(v.sliceCount)" + (state.readOnly ? "  read-only" : ""))
        line("z \(c.z)  y \(c.y)  x \(c.x)")
        line(String(format: "%.3f %.3f %.3f mm", Double(c.z) * vs.z / 1000, Double(c.y) * vs.y / 1000, Double(c.x) * vs.x / 1000),
             state.theme.dim)
        let (ra, ca) = v.axis.planeAxes
        if let value = state.images[0]?.value(fullResolutionRow: c[ra], column: c[ca]) {
            let level = state.images[0]!.level
            line("value \(App.format(Double(value)))" + (level > 0 ? "  (level \(level) mean)" : ""))
        } else {
            line("value …", state.theme.dim)
        }
        line(String(format: "zoom %@×  window %@…%@", zoomText(v.zoom), App.format(state.contrast.low),
                    App.format(state.contrast.high)), state.theme.dim)
        heading("paint")
        let toolText: String
        switch state.tool {
        case .brush: toolText = "brush"
        case .eraser: toolText = "eraser"
        case .fill: toolText = "fill in window"
        }
        line("\(toolText)  r \(state.brushRadius)  pen \(state.penDown ? "DOWN" : "up")", state.penDown ? state.theme.accent : nil)
        for style in state.classes {
            guard row < rows.upperBound else { break }
            let active = style.id == state.activeClass && state.tool != .eraser
            var col = painter.text(&grid, active ? "▶" : " ", column: x0, row: row, foreground: state.theme.accent)
            col = painter.text(&grid, "\(style.id) ", column: col, row: row)
            col = grid.put("██", column: col, row: row, foreground: painter.color(style.color), background: painter.color(state.theme.panel))
            let count = (state.labelCounts[style.id] ?? 0).formatted()
            let name = " " + style.name
            let room = width - (col - x0) - count.count - 1
            col = painter.text(&grid, String(name.prefix(max(0, room))), column: col, row: row, bold: active)
            painter.text(&grid, count.leftPadded(to: x0 + width - col), column: col, row: row, foreground: state.theme.dim)
            row += 1
        }
        line("undo \(state.canUndo ? "u" : "–")  redo \(state.canRedo ? "^R" : "–")  labels \(state.showLabels ? "on" : "off")",
             state.theme.dim)
        let authors = state.collab.lines
        if !authors.isEmpty {
            heading("annotators")
            for a in authors {
                let count = a.voxels.formatted()
                let name = String((a.author + (a.isMe ? " (you)" : "")).prefix(max(0, width - count.count - 1)))
                line(name + count.leftPadded(to: width - name.count), a.isMe ? nil : state.theme.dim)
            }
        }
        heading("model")
        for (text, color, bold) in modelLines() { line(text, color, bold: bold) }
        if state.identify.isShown {
            heading("taxon (i)")
            for (text, color, bold) in IdentifyPanel(state: state).lines(width: width) { line(text, color, bold: bold) }
        }
        let interpolation = interpolationLines()
        if !interpolation.isEmpty {
            heading("interpolation")
            for (text, color) in interpolation { line(text, color) }
        }
        switch state.serve.status {
        case .off: break
        case .starting(let port):
            heading("serve")
            line("starting on port \(port)…", state.theme.dim)
        case .serving(let link):
            heading("serve")
            line(link.url, state.theme.accent)
            line("ssh -L \(link.port):127.0.0.1:\(link.port)", state.theme.dim)
            line("then open /neuroglancer", state.theme.dim)
        case .failed(let why):
            heading("serve")
            line(why, state.theme.warning)
        }
        if let job = state.jobs.last(where: \.isRunning) ?? state.jobs.last {
            heading("job")
            line(job.line(barWidth: 8), job.isRunning ? state.theme.accent : state.theme.dim)
        }
        if let task = state.task {
            heading("task")
            line("task \(task.id) \(task.submitted ? "submitted" : "open")  \(task.axis) \(task.slice)")
            line("\(task.rows.count)×\(task.columns.count) at \(task.rows.lowerBound),\(task.columns.lowerBound)", state.theme.dim)
        }
        // Minimap at the bottom of the panel.
        let mapRows = min(8, rows.upperBound - row - 1)
        if mapRows >= 3 {
            heading("map")
            drawMinimap(into: &grid, painter: painter, column: x0, row: row, width: width, height: rows.upperBound - row)
        }
    }

    /// The current model's cross-validated quality with its history, and the class probabilities
    /// under the cursor, as panel lines (text, colour, bold).
    func modelLines() -> [(String, RGB?, Bool)] {
        var out: [(String, RGB?, Bool)] = []
        if let t = state.training {
            let filled = Int(t.fraction * 10)
            out.append(("training: \(t.phase) " + String(repeating: "█", count: filled) + String(repeating: "░", count: 10 - filled),
                        state.theme.accent, false))
        }
        guard let m = state.currentModelSummary else {
            if state.training == nil { out.append(("none yet: paint both classes", state.theme.dim, false)) }
            return out
        }
        let stale = state.labelsChangedSinceModel || state.training != nil
        out.append(("\(m.id)" + (stale ? " (stale)" : ""), stale ? state.theme.dim : nil, false))
        if !m.recipe.isEmpty { out.append((m.recipe, state.theme.dim, false)) }
        for c in state.classes {
            let history = state.models.compactMap { $0.f1?[c.id] }
            let value = m.f1?[c.id].map { String(format: "%.2f", $0) } ?? "–"
            out.append(("F1 " + c.name.padding(toLength: 7, withPad: " ", startingAt: 0) + " \(value) " + Self.sparkline(history.suffix(10)),
                        nil, false))
            if let s = m.scores?[c.id] {
                out.append((String(format: "   P %.2f R %.2f J %.2f", s.precision, s.recall, s.jaccard), state.theme.dim, false))
            }
        }
        // A class no fold could score (its labels on one slice, or a fold trained without it) shows
        // "–", never a held-out F1 of 0.00 that only says the labels are too few.
        if state.training == nil, state.classes.contains(where: { m.scores?[$0.id] == nil }) {
            out.append(("too few labels to score", state.theme.warning, false))
            out.append(("(each class on 2+ slices)", state.theme.dim, false))
        }
        if let accuracy = m.accuracy { out.append((String(format: "accuracy %.3f (held out)", accuracy), state.theme.dim, false)) }
        if let oob = m.oobError { out.append((String(format: "OOB error %.3f (optimistic)", oob), state.theme.dim, false)) }
        let v = state.viewport
        let (ra, ca) = v.axis.planeAxes
        guard let p = state.prediction, p.axis == v.axis, p.index == v.slice,
              let probabilities = p.probabilities(row: v.cursor[ra], column: v.cursor[ca]) else { return out }
        let top = probabilities.max { $0.p < $1.p }?.id
        for (id, value) in probabilities {
            let name = state.style(ofClass: id).name.padding(toLength: 7, withPad: " ", startingAt: 0)
            out.append(("\(name) \(Self.bar(Double(value), width: 10)) " + String(format: "%.2f", value),
                        id == top ? state.style(ofClass: id).color : state.theme.dim, id == top))
        }
        return out
    }

    /// Which overlay shows, the interpolation's or the model's, and what the interpolation filled.
    func interpolationLines() -> [(String, RGB?)] {
        let i = state.interpolation
        guard let result = i.result else { return i.isRunning ? [("running: g shows it", state.theme.dim)] : [] }
        let slices = result.labelledSlices
        var out: [(String, RGB?)] = [
            i.isShown ? ("overlay: interpolation (I)", state.theme.accent) : ("overlay: model (I toggles)", state.theme.dim),
            ("\(result.interpolatedSlices) slices filled, z \(slices.first ?? 0)–\(slices.last ?? 0)", i.isShown ? nil : state.theme.dim),
            ("from \(slices.count) labelled" + (i.isStale ? " (stale)" : ""), state.theme.dim),
            (result.id, state.theme.dim),
        ]
        if i.isRunning { out.append(("running again: g shows it", state.theme.dim)) }
        return out
    }

    /// `████▌     ` for a fraction 0…1 in `width` cells, with eighth blocks.
    static func bar(_ fraction: Double, width: Int) -> String {
        let eighths = Int((max(0, min(1, fraction)) * Double(width * 8)).rounded())
        let partial = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"][eighths % 8]
        let full = String(repeating: "█", count: eighths / 8)
        return (full + partial).padding(toLength: width, withPad: " ", startingAt: 0)
    }

    /// `▂▄▅` for scores up to 1, scaled from just below the lowest one so that the small steps
    /// models make (0.85 → 0.90) stay visible.
    static func sparkline(_ values: ArraySlice<Double>) -> String {
        let ticks = Array("▁▂▃▄▅▆▇█")
        let low = max(0, (values.min() ?? 0) - 0.05)
        return String(values.map { ticks[min(7, max(0, Int(($0 - low) / max(1e-9, 1 - low) * 7.999)))] })
    }

    private func zoomText(_ z: Double) -> String {
        z >= 1 ? App.format((z * 100).rounded() / 100) : String(format: "%.2f", z)
    }

    /// The whole slice at the coarsest level with the visible part framed: half-blocks here, or
    /// (when the panes are pixels) left to an image over these cells (`App.minimapImage`).
    private func drawMinimap(into grid: inout CellGrid, painter: Painter, column: Int, row: Int, width: Int, height: Int) {
        recorder?.area = MinimapArea(column: column, row: row, columns: width, rows: height)
        guard !state.panesArePixels else { return }
        let inputs = MinimapInputs(state, area: MinimapArea(column: column, row: row, columns: width, rows: height), cellPixels: (1, 2))
        Self.minimapPixels(inputs).draw(into: &grid, column: column, row: row, mode: state.colorMode)
    }

    /// Where the minimap goes, in cells, if the panel has room for one.
    static func minimapArea(_ state: AppState) -> MinimapArea? {
        let recorder = MinimapRecorder()
        var scratch = CellGrid(width: state.screen.width, height: state.screen.height)
        SidePanel(state: state, recorder: recorder).draw(into: &scratch, painter: Painter(mode: state.colorMode, theme: state.theme))
        return recorder.area
    }

    /// The minimap's pixels: the coarsest level of the slice fitted to the area's pixels, the
    /// visible part framed `markScale` pixels thick, as wide and tall as the cells it covers.
    static func minimapPixels(_ m: MinimapInputs) -> PixelImage {
        let v = m.viewport
        let plane = v.plane
        let areaWidth = m.area.columns * m.cellWidth, areaHeight = m.area.rows * m.cellHeight
        let scale = min(Double(areaWidth) / Double(plane.columns), Double(areaHeight) / Double(plane.rows))
        let w = max(1, min(areaWidth, Int(Double(plane.columns) * scale))), h = max(2, min(areaHeight, Int(Double(plane.rows) * scale)))
        // Half-blocks take the slice's own size; pixels the whole cells it covers.
        let imageWidth = m.cellWidth == 1 ? w : (w + m.cellWidth - 1) / m.cellWidth * m.cellWidth
        let imageHeight = m.cellWidth == 1 ? h : (h + m.cellHeight - 1) / m.cellHeight * m.cellHeight
        var img = PixelImage(width: imageWidth, height: imageHeight, fill: m.theme.background)
        let columnOf = (0..<w).map { Int((Double($0) + 0.5) / scale) }
        // Pixels: the 256-step ramp the slice panes use (the map is recomposed on every slice step);
        // half-blocks keep the exact colour map.
        let ramp = m.cellWidth == 1 ? [] : (0..<256).map { m.theme.sliceColor(Double($0) / 255) }
        for y in 0..<h {
            let r = Int((Double(y) + 0.5) / scale)
            for x in 0..<w {
                if let value = m.image?.value(fullResolutionRow: r, column: columnOf[x]) {
                    let g = m.contrast.grey(Double(value))
                    img[x, y] = ramp.isEmpty ? m.theme.sliceColor(g) : ramp[Int(g * 255)]
                }
            }
        }
        let tl = v.voxel(atScreenX: 0, y: 0), br = v.voxel(atScreenX: v.size.width - 1, y: v.size.height - 1)
        let x0 = max(0, Int(tl.column * scale)), x1 = min(w - 1, Int(br.column * scale))
        let y0 = max(0, Int(tl.row * scale)), y1 = min(h - 1, Int(br.row * scale))
        if x0 <= x1 && y0 <= y1 && !(x0 == 0 && y0 == 0 && x1 == w - 1 && y1 == h - 1) {
            let t = max(1, m.markScale)
            for k in 0..<t {
                for x in x0...x1 {
                    img[x, min(y1, y0 + k)] = m.theme.accent
                    img[x, max(y0, y1 - k)] = m.theme.accent
                }
                for y in y0...y1 {
                    img[min(x1, x0 + k), y] = m.theme.accent
                    img[max(x0, x1 - k), y] = m.theme.accent
                }
            }
        }
        return img
    }
}

/// The cells the minimap may take in the side panel.
struct MinimapArea: Equatable {
    var column: Int
    var row: Int
    var columns: Int
    var rows: Int
}

/// Receives the minimap's area while the side panel is laid out.
final class MinimapRecorder {
    var area: MinimapArea?
}

/// Everything the minimap's pixels depend on.
struct MinimapInputs: Equatable {
    var area: MinimapArea
    var cellWidth: Int
    var cellHeight: Int
    var viewport: Viewport
    var image: SliceImage?
    var contrast: Contrast
    var theme: Theme
    var markScale: Int

    init(_ state: AppState, area: MinimapArea, cellPixels: (width: Int, height: Int)? = nil) {
        self.area = area
        cellWidth = cellPixels?.width ?? state.layout.cellPixelWidth
        cellHeight = cellPixels?.height ?? state.layout.cellPixelHeight
        viewport = state.viewport
        image = state.images[AppState.minimapPane]
        contrast = state.contrast
        theme = state.theme
        markScale = cellPixels == nil ? state.markScale : 1
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
