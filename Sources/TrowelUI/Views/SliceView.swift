import Foundation
import TrowelEngine
import TrowelVolume

/// Renders a slice pane: grey values through window/level and the theme's colour map, the model's
/// hypothesis or the label interpolation, labels as a translucent overlay on top, the crosshair,
/// the brush outline and the task frame.
struct SliceView {
    let state: AppState

    /// The pixels of the pane showing slice `offset` (0 = main), `size` screen pixels large.
    func pixels(offset: Int, size: (width: Int, height: Int)) -> PixelImage {
        var v = state.viewport
        v.resize(width: size.width, height: size.height)
        return pixels(offset: offset, viewport: v)
    }

    /// The pixels of the pane showing slice `offset` through viewport `v` (its size is the image's).
    func pixels(offset: Int, viewport v: Viewport) -> PixelImage {
        Self.render(PaneInputs(state, offset: offset, viewport: v))
    }

    /// The pixels for `inputs`, which hold everything a pane shows (so equal inputs, equal pixels).
    static func render(_ inputs: PaneInputs) -> PixelImage {
        let v = inputs.view.viewport
        let theme = inputs.theme
        let size = v.size
        var img = PixelImage(width: size.width, height: size.height, fill: theme.background)
        let plane = v.plane
        // The mapping is separable: voxel row depends only on y, voxel column only on x.
        let rowOf = (0..<size.height).map { y -> Int in
            let r = v.voxel(atScreenX: 0, y: y).row
            return r >= 0 && r < Double(plane.rows) ? Int(r) : -1
        }
        let columnOf = (0..<size.width).map { x -> Int in
            let c = v.voxel(atScreenX: x, y: 0).column
            return c >= 0 && c < Double(plane.columns) ? Int(c) : -1
        }
        let image = inputs.image
        let labels = inputs.labels
        let classColors = Dictionary(uniqueKeysWithValues: inputs.classes.map { ($0.id, $0.color) })
        let proposal = inputs.proposal
        let interpolated = inputs.interpolated
        let prediction = inputs.prediction
        let style = inputs.predictionStyle
        let uncertain = inputs.showUncertainty
        let contrast = inputs.contrast
        let opacity = inputs.labelOpacity
        // Grey lookup for a 256-step colour map is cheaper than blending per pixel.
        let ramp = (0..<256).map { theme.sliceColor(Double($0) / 255) }
        var marks = inputs.colorMode == .mono && labels != nil ? [UInt8](repeating: 0, count: size.width * size.height) : nil
        /// True where screen pixel (x, y) shows class `p` and its right or lower neighbour another.
        func isEdge(_ p: UInt8, x: Int, y: Int, in classes: some SliceLabels) -> Bool {
            let right = x + 1 < size.width ? columnOf[x + 1] : -1, below = y + 1 < size.height ? rowOf[y + 1] : -1
            return (right >= 0 && classes.label(row: rowOf[y], column: right) != p)
                || (below >= 0 && classes.label(row: below, column: columnOf[x]) != p)
        }
        // The grey base of every pixel first, on contiguous buffers: per screen row and column the
        // index into the values read (-1 outside them), rows that map to the row above copied.
        let level = image?.level ?? 0
        let valueRow = rowOf.map { r -> Int in
            guard let image, r >= 0, image.rows.contains(r >> level) else { return -1 }
            return ((r >> level) - image.rows.lowerBound) * image.columns.count
        }
        let valueColumn = columnOf.map { c -> Int in
            guard let image, c >= 0, image.columns.contains(c >> level) else { return -1 }
            return (c >> level) - image.columns.lowerBound
        }
        let panel = theme.panel
        // Each value read through the window once (the image holds about as many values as the
        // pane has pixels, or fewer when zoomed in), then a byte per pixel to look up.
        let values = image?.values ?? []
        let greys = [UInt8](unsafeUninitializedCapacity: values.count) { out, n in
            values.withUnsafeBufferPointer { v in
                for i in 0..<v.count { out[i] = UInt8(Int(contrast.grey(Double(v[i])) * 255)) }
            }
            n = values.count
        }
        // Per screen column: the value column, -1 for the panel colour, -2 for background (no voxel).
        let source = (0..<size.width).map { x in columnOf[x] < 0 ? -2 : valueColumn[x] }
        greys.withUnsafeBufferPointer { vals in
            ramp.withUnsafeBufferPointer { lut in
                source.withUnsafeBufferPointer { src in
                    img.pixels.withUnsafeMutableBufferPointer { out in
                        let w = size.width
                        for y in 0..<size.height where rowOf[y] >= 0 {
                            let line = out.baseAddress! + y * w
                            if y > 0 && rowOf[y] == rowOf[y - 1] {
                                line.update(from: line - w, count: w)
                                continue
                            }
                            let vr = valueRow[y]
                            if vr < 0 {
                                for x in 0..<w where src[x] != -2 { line[x] = panel }
                                continue
                            }
                            let row = vals.baseAddress! + vr
                            for x in 0..<w {
                                let c = src[x]
                                if c >= 0 { line[x] = lut[Int(row[c])] } else if c == -1 { line[x] = panel }
                            }
                        }
                    }
                }
            }
        }
        // Overlays per pixel, on the rows that have any: the labels of a slice are mostly unpainted.
        let everyRow = prediction != nil || interpolated != nil || proposal != nil
        let labelledRows: [Bool] = labels.map { l in
            l.labels.withUnsafeBufferPointer { b in
                (0..<l.rows).map { r in UnsafeBufferPointer(rebasing: b[(r * l.columns)..<((r + 1) * l.columns)]).contains { $0 != 0 } }
            }
        } ?? []
        for y in 0..<size.height where everyRow || !labelledRows.isEmpty {
            let r = rowOf[y]
            if r < 0 || !(everyRow || labelledRows[r]) { continue }
            for x in 0..<size.width {
                let c = columnOf[x]
                if c < 0 { continue }
                var color = img.pixels[y * size.width + x]
                if let prediction {
                    if uncertain, let u = prediction.uncertainty(row: r, column: c) {
                        color = color.blended(with: Self.heat(Double(u)), amount: opacity * Double(0.3 + 0.7 * u))
                    } else if !uncertain {
                        let p = prediction.label(row: r, column: c)
                        if p != 0, let tint = classColors[Int(p)] {
                            switch style {
                            case .fill:
                                color = color.blended(with: tint, amount: opacity * 0.6)
                            case .outline:
                                if isEdge(p, x: x, y: y, in: prediction) { color = tint }
                            case .off:
                                break
                            }
                        }
                    }
                }
                if let interpolated {
                    let p = interpolated.label(row: r, column: c)
                    if p != 0, let tint = classColors[Int(p)] {
                        // Filled, with class boundaries drawn solid: unlike the hypothesis's plain fill.
                        color = isEdge(p, x: x, y: y, in: interpolated) ? tint : color.blended(with: tint, amount: opacity * 0.6)
                    }
                }
                if let proposal, (x + y) % 2 == 0, labels?.label(row: r, column: c) ?? 0 == 0 {
                    // Dotted: the model's proposal, not yet the user's.
                    let p = proposal.label(row: r, column: c)
                    if p != 0, let tint = classColors[Int(p)] { color = color.blended(with: tint, amount: max(0.5, opacity)) }
                }
                if let labels {
                    let l = labels.label(row: r, column: c)
                    if l != 0 {
                        color = color.blended(with: classColors[Int(l)] ?? RGB(grey: 160), amount: opacity)
                        marks?[y * size.width + x] = l
                    }
                }
                img[x, y] = color
            }
        }
        img.marks = marks
        guard inputs.offset == 0 else { return img }
        if let task = inputs.task {
            drawFrame(&img, v, rows: task.rows, columns: task.columns, color: task.submitted ? theme.dim : theme.accent)
        }
        if let corners = inputs.footprint {
            drawPolygon(&img, v, corners.map { ($0.row, $0.column) }, color: theme.accent)
        }
        drawBrush(&img, v, radius: inputs.brushRadius, tint: inputs.brushTint)
        drawCrosshair(&img, v, scale: inputs.markScale, color: theme.cursor)
        return img
    }

    /// Black → red → yellow → white for uncertainty 0…1.
    static func heat(_ t: Double) -> RGB {
        let stops = [RGB(0, 0, 0), RGB(200, 30, 30), RGB(250, 200, 40), RGB(255, 255, 255)]
        let x = max(0, min(1, t)) * Double(stops.count - 1)
        let i = min(stops.count - 2, Int(x))
        return stops[i].blended(with: stops[i + 1], amount: x - Double(i))
    }

    private static func drawCrosshair(_ img: inout PixelImage, _ v: Viewport, scale: Int, color: RGB) {
        let p = v.cursorOnScreen
        let arm = 3 * scale, gap = max(scale, Int(v.zoom / 2) + 1)
        let thickness = (scale + 1) / 2
        for d in gap...(gap + arm) {
            for t in (-(thickness - 1) / 2)...(thickness / 2) {
                for (x, y) in [(p.x - d, p.y + t), (p.x + d, p.y + t), (p.x + t, p.y - d), (p.x + t, p.y + d)]
                where x >= 0 && x < img.width && y >= 0 && y < img.height {
                    img[x, y] = color
                }
            }
        }
    }

    private static func drawBrush(_ img: inout PixelImage, _ v: Viewport, radius brushRadius: Int, tint: RGB) {
        let radius = (Double(brushRadius) + 0.5) * v.zoom
        guard radius >= 3 else { return }
        let (ra, ca) = v.axis.planeAxes
        let centre = v.screen(row: Double(v.cursor[ra]) + 0.5, column: Double(v.cursor[ca]) + 0.5)
        let steps = Int(radius * 8)
        for i in 0..<steps {
            let a = Double(i) / Double(steps) * 2 * Double.pi
            let x = Int((centre.x + radius * cos(a)).rounded(.down)), y = Int((centre.y + radius * sin(a)).rounded(.down))
            if x >= 0 && x < img.width && y >= 0 && y < img.height { img[x, y] = tint }
        }
    }

    /// A closed polygon through in-plane voxel coordinates (voxel edges at integers).
    private static func drawPolygon(_ img: inout PixelImage, _ v: Viewport, _ corners: [(row: Double, column: Double)], color: RGB) {
        let points = corners.map { v.screen(row: $0.row, column: $0.column) }
        for (i, a) in points.enumerated() {
            let b = points[(i + 1) % points.count]
            let steps = max(1, Int((Swift.abs(b.x - a.x) + Swift.abs(b.y - a.y)) * 2))
            for k in 0...steps {
                let t = Double(k) / Double(steps)
                let x = Int((a.x + (b.x - a.x) * t).rounded(.down)), y = Int((a.y + (b.y - a.y) * t).rounded(.down))
                if x >= 0 && x < img.width && y >= 0 && y < img.height { img[x, y] = color }
            }
        }
    }

    private static func drawFrame(_ img: inout PixelImage, _ v: Viewport, rows: Range<Int>, columns: Range<Int>, color: RGB) {
        let a = v.screen(row: Double(rows.lowerBound), column: Double(columns.lowerBound))
        let b = v.screen(row: Double(rows.upperBound), column: Double(columns.upperBound))
        let x0 = Int(a.x.rounded(.down)) - 1, y0 = Int(a.y.rounded(.down)) - 1
        let x1 = Int(b.x.rounded(.down)), y1 = Int(b.y.rounded(.down))
        func put(_ x: Int, _ y: Int) { if x >= 0 && x < img.width && y >= 0 && y < img.height { img[x, y] = color } }
        for x in x0...max(x0, x1) {
            put(x, y0)
            put(x, y1)
        }
        for y in y0...max(y0, y1) {
            put(x0, y)
            put(x1, y)
        }
    }
}


/// Everything one pane's pixels depend on, taken from the state: two panes with equal inputs
/// look the same, which lets `PaneImageCache` skip composing a pane that did not change.
struct PaneInputs: Equatable {
    struct Corner: Equatable {
        var row: Double
        var column: Double
    }

    /// The viewport, compared by what maps voxels to pixels — and the cursor only where the
    /// crosshair is drawn (the main pane), so moving the cursor leaves the context panes cached.
    struct View: Equatable {
        var viewport: Viewport
        var showsCursor: Bool

        static func == (a: View, b: View) -> Bool {
            let u = a.viewport, v = b.viewport
            return a.showsCursor == b.showsCursor && u.volumeShape == v.volumeShape && u.axis == v.axis && u.slice == v.slice
                && u.zoom == v.zoom && u.centre == v.centre && u.size == v.size && (!a.showsCursor || u.cursor == v.cursor)
        }
    }

    var offset: Int
    var view: View
    var theme: Theme
    var colorMode: ColorMode
    var image: SliceImage?
    var labels: LabelSlice?
    var classes: [ClassStyle]
    var proposal: Proposal?
    var interpolated: LabelSlice?
    var prediction: Prediction?
    var predictionStyle: PredictionStyle
    var showUncertainty: Bool
    var contrast: Contrast
    var labelOpacity: Double
    var task: AnnotationTask?
    var footprint: [Corner]?
    var brushRadius: Int
    var brushTint: RGB
    var markScale: Int

    init(_ state: AppState, offset: Int, viewport v: Viewport) {
        self.offset = offset
        view = View(viewport: v, showsCursor: offset == 0)
        theme = state.theme
        colorMode = state.colorMode
        image = state.images[offset]
        labels = offset == 0 && state.showLabels ? state.labels.flatMap { l in l.axis == v.axis && l.index == v.slice ? l : nil } : nil
        classes = state.classes
        proposal = offset == 0 ? state.proposal.flatMap { p in p.axis == v.axis && p.slice == v.slice ? p : nil } : nil
        // The interpolation, when shown, takes the hypothesis's place.
        interpolated = offset == 0 ? state.interpolation.overlay(axis: v.axis, index: v.slice) : nil
        prediction = offset == 0 && !state.interpolation.isShown
            ? state.prediction.flatMap { p in p.axis == v.axis && p.index == v.slice ? p : nil } : nil
        predictionStyle = state.predictionStyle
        showUncertainty = state.showUncertainty
        contrast = state.contrast
        labelOpacity = state.labelOpacity
        let isMain = offset == 0
        task = isMain ? state.task.flatMap { t in t.axis == v.axis && t.slice == v.slice ? t : nil } : nil
        footprint = isMain ? state.match.footprint(axis: v.axis, index: v.slice, plane: (v.plane.rows, v.plane.columns))?
            .map { Corner(row: $0.row, column: $0.column) } : nil
        brushRadius = isMain ? state.brushRadius : 0
        brushTint = isMain ? (state.tool == .eraser ? state.theme.dim : state.style(ofClass: state.activeClass).color) : .black
        markScale = state.markScale
    }
}

/// A class per in-plane voxel of a slice (0 where none), as overlays are drawn from.
protocol SliceLabels {
    func label(row: Int, column: Int) -> UInt8
}

extension Prediction: SliceLabels {}
extension LabelSlice: SliceLabels {}
