import TrowelVolume

/// What part of the scan the slice view shows: the slice (axis and cursor), the zoom and the pan.
///
/// Screen space is in *pixels* of the half-block view: one cell column is one pixel wide and one
/// cell row is two pixels tall, which makes a pixel roughly square on a terminal. `zoom` is screen
/// pixels per voxel; below 1 the view reads a coarser pyramid level.
public struct Viewport: Equatable, Sendable {
    public let volumeShape: Shape
    /// The axis the slice is taken across (z gives an XY slice).
    public private(set) var axis: Axis
    /// The voxel under the crosshair, in full-resolution coordinates; its `axis` component is the slice.
    public private(set) var cursor: Index3
    /// Screen pixels per voxel.
    public private(set) var zoom: Double
    /// The in-plane voxel coordinate (rows, columns) shown at the centre of the view.
    public private(set) var centre: (row: Double, column: Double)
    /// Size of the view in screen pixels.
    public private(set) var size: (width: Int, height: Int)

    /// Largest magnification: 8 screen pixels per voxel.
    public static let maximumZoom = 8.0

    public init(volumeShape: Shape, size: (width: Int, height: Int), axis: Axis = .z) {
        self.volumeShape = volumeShape
        self.axis = axis
        cursor = Index3(z: volumeShape.z / 2, y: volumeShape.y / 2, x: volumeShape.x / 2)
        self.size = (max(1, size.width), max(1, size.height))
        zoom = 1
        centre = (0, 0)
        fit()
    }

    public static func == (a: Viewport, b: Viewport) -> Bool {
        a.volumeShape == b.volumeShape && a.axis == b.axis && a.cursor == b.cursor && a.zoom == b.zoom
            && a.centre == b.centre && a.size == b.size
    }

    /// The slice index along `axis`.
    public var slice: Int { cursor[axis] }
    /// Number of slices along `axis`.
    public var sliceCount: Int { volumeShape[axis] }
    /// In-plane size (rows, columns) of the current slice.
    public var plane: (rows: Int, columns: Int) { volumeShape.plane(across: axis) }

    /// The zoom at which the whole slice fits the view.
    public var fitZoom: Double {
        let p = plane
        return min(Double(size.width) / Double(p.columns), Double(size.height) / Double(p.rows))
    }

    /// Zooms so the whole slice is visible, centred.
    public mutating func fit() {
        zoom = min(Self.maximumZoom, fitZoom)
        let p = plane
        centre = (Double(p.rows) / 2, Double(p.columns) / 2)
    }

    /// The pyramid level to read at this zoom: each level halves the resolution.
    public func pyramidLevel(available levels: Int) -> Int {
        guard zoom < 1 else { return 0 }
        let wanted = Int((-_log2(zoom)).rounded(.down))
        return max(0, min(levels - 1, wanted))
    }

    // MARK: - Mapping

    /// The in-plane voxel (row, column) shown at screen pixel (`x`, `y`), unclamped.
    public func voxel(atScreenX x: Int, y: Int) -> (row: Double, column: Double) {
        (centre.row + (Double(y) + 0.5 - Double(size.height) / 2) / zoom,
         centre.column + (Double(x) + 0.5 - Double(size.width) / 2) / zoom)
    }

    /// The screen pixel at which in-plane voxel (`row`, `column`) starts.
    public func screen(row: Double, column: Double) -> (x: Double, y: Double) {
        ((column - centre.column) * zoom + Double(size.width) / 2, (row - centre.row) * zoom + Double(size.height) / 2)
    }

    /// The full 3D voxel under screen pixel (`x`, `y`) on the current slice, or nil outside the scan.
    public func voxelIndex(atScreenX x: Int, y: Int) -> Index3? {
        let v = voxel(atScreenX: x, y: y)
        let r = Int(v.row.rounded(.down)), c = Int(v.column.rounded(.down))
        let p = plane
        guard r >= 0, r < p.rows, c >= 0, c < p.columns else { return nil }
        var i = cursor
        let (ra, ca) = axis.planeAxes
        i[ra] = r
        i[ca] = c
        return i
    }

    /// Screen position of the cursor (pixel whose area contains the voxel's centre).
    public var cursorOnScreen: (x: Int, y: Int) {
        let (ra, ca) = axis.planeAxes
        let s = screen(row: Double(cursor[ra]) + 0.5, column: Double(cursor[ca]) + 0.5)
        return (Int(s.x.rounded(.down)), Int(s.y.rounded(.down)))
    }

    // MARK: - Changes

    /// Resizes the view, keeping the same voxel at the centre (refits if the view was fitted).
    public mutating func resize(width: Int, height: Int) {
        let wasFitted = zoom == min(Self.maximumZoom, fitZoom)
        size = (max(1, width), max(1, height))
        if wasFitted { fit() }
    }

    /// Moves the cursor in the plane by (`rows`, `columns`) voxels, keeping it inside the scan and on screen.
    public mutating func moveCursor(rows: Int, columns: Int) {
        let (ra, ca) = axis.planeAxes
        cursor[ra] = clamp(cursor[ra] + rows, volumeShape[ra])
        cursor[ca] = clamp(cursor[ca] + columns, volumeShape[ca])
        keepCursorVisible()
    }

    /// Puts the cursor on a voxel (e.g. under the mouse).
    public mutating func placeCursor(at voxel: Index3) {
        cursor = Index3(z: clamp(voxel.z, volumeShape.z), y: clamp(voxel.y, volumeShape.y), x: clamp(voxel.x, volumeShape.x))
        keepCursorVisible()
    }

    /// Steps `delta` slices along the axis.
    public mutating func step(slices delta: Int) {
        cursor[axis] = clamp(cursor[axis] + delta, volumeShape[axis])
    }

    /// Pans the view by a fraction of its size (the cursor follows to stay visible).
    public mutating func pan(rows: Double, columns: Double) {
        centre.row += rows * Double(size.height) / zoom
        centre.column += columns * Double(size.width) / zoom
        let p = plane
        centre.row = max(0, min(Double(p.rows), centre.row))
        centre.column = max(0, min(Double(p.columns), centre.column))
        let (ra, ca) = axis.planeAxes
        let top = voxel(atScreenX: 0, y: 0), bottom = voxel(atScreenX: size.width - 1, y: size.height - 1)
        cursor[ra] = clamp(min(max(cursor[ra], Int(top.row.rounded(.up))), Int(bottom.row.rounded(.down))), volumeShape[ra])
        cursor[ca] = clamp(min(max(cursor[ca], Int(top.column.rounded(.up))), Int(bottom.column.rounded(.down))), volumeShape[ca])
    }

    /// Zooms in (`steps` > 0) or out by factors of two around the cursor, between fit and 8 pixels per voxel.
    public mutating func zoom(by steps: Int) {
        let lowest = min(Self.maximumZoom, fitZoom)
        let factor = Double(1 << min(abs(steps), 16))
        let z = steps >= 0 ? zoom * factor : zoom / factor
        let target = max(lowest, min(Self.maximumZoom, z))
        if target == lowest {
            fit()
            return
        }
        // Keep the cursor voxel at the same place on screen.
        let (ra, ca) = axis.planeAxes
        let before = screen(row: Double(cursor[ra]) + 0.5, column: Double(cursor[ca]) + 0.5)
        zoom = target
        centre.row = Double(cursor[ra]) + 0.5 - (before.y - Double(size.height) / 2) / zoom
        centre.column = Double(cursor[ca]) + 0.5 - (before.x - Double(size.width) / 2) / zoom
        keepCursorVisible()
    }

    /// Slices across the next axis through the same cursor voxel, fitted to the view.
    public mutating func cycleAxis() {
        axis = axis.next
        fit()
    }

    /// Puts the cursor voxel at the centre of the view.
    public mutating func centreOnCursor() {
        let (ra, ca) = axis.planeAxes
        centre = (Double(cursor[ra]) + 0.5, Double(cursor[ca]) + 0.5)
    }

    private func clamp(_ v: Int, _ n: Int) -> Int { max(0, min(n - 1, v)) }

    private mutating func keepCursorVisible() {
        let (ra, ca) = axis.planeAxes
        let s = screen(row: Double(cursor[ra]) + 0.5, column: Double(cursor[ca]) + 0.5)
        let marginX = min(4.0, Double(size.width) / 4), marginY = min(4.0, Double(size.height) / 4)
        if s.x < marginX || s.x > Double(size.width) - marginX {
            centre.column = Double(cursor[ca]) + 0.5
        }
        if s.y < marginY || s.y > Double(size.height) - marginY {
            centre.row = Double(cursor[ra]) + 0.5
        }
    }
}

extension Viewport {
    /// Slices across `axis` through the same cursor voxel.
    public mutating func setAxis(_ target: Axis) {
        while axis != target { cycleAxis() }
    }

    /// Shows the in-plane region (full-resolution rows, columns) as large as fits, cursor at its centre.
    public mutating func focus(rows: Range<Int>, columns: Range<Int>) {
        let (ra, ca) = axis.planeAxes
        var c = cursor
        c[ra] = (rows.lowerBound + rows.upperBound) / 2
        c[ca] = (columns.lowerBound + columns.upperBound) / 2
        placeCursor(at: c)
        let target = min(Self.maximumZoom, Double(size.width) / Double(max(1, columns.count)),
                         Double(size.height) / Double(max(1, rows.count)))
        fit()
        while zoom * 2 <= target { zoom(by: 1) }
        centreOnCursor()
    }
}
