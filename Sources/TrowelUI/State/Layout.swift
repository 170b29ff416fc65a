/// Where each part of the screen goes, from the terminal size alone.
///
/// ```
/// ┌ title ───────────────────────────────────────┐
/// │ [context −d] [ slice ] [context +d] │ panel  │
/// └ status ──────────────────────────────────────┘
/// ```
public struct Layout: Equatable, Sendable {
    public static let minimumWidth = 60
    public static let minimumHeight = 20
    public static let panelWidth = 30

    public let width: Int
    public let height: Int
    /// Number of context panes beside the main slice (0 or 2).
    public let contextPanes: Int
    /// Screen pixels per cell: 1 × 2 for half-blocks, the terminal's cell size when it draws images.
    public let cellPixelWidth: Int
    public let cellPixelHeight: Int

    public init(width: Int, height: Int, contextPanes: Int, cellPixels: (width: Int, height: Int) = (1, 2)) {
        self.width = width
        self.height = height
        self.contextPanes = contextPanes
        cellPixelWidth = max(1, cellPixels.width)
        cellPixelHeight = max(1, cellPixels.height)
    }

    public var isTooSmall: Bool { width < Self.minimumWidth || height < Self.minimumHeight }

    /// The slice area in cells: below the title row, above the status row, left of the panel.
    public var viewColumns: Range<Int> { 0..<max(1, width - Self.panelWidth - 1) }
    public var viewRows: Range<Int> { 1..<max(2, height - 1) }
    public var panelColumn: Int { width - Self.panelWidth }

    /// The panes, left to right, with the slice offset each shows (in units of the context distance).
    public var panes: [(columns: Range<Int>, offset: Int)] {
        let all = viewColumns
        guard contextPanes > 0 else { return [(all, 0)] }
        let w = (all.count - 2) / 3
        return [(0..<w, -1), ((w + 1)..<(2 * w + 1), 0), ((2 * w + 2)..<(3 * w + 2), 1)]
    }

    /// The main pane's size in screen pixels (half-blocks: one column wide, half a row tall each);
    /// the title row of each pane is not part of it.
    public var paneSize: (width: Int, height: Int) {
        let main = panes.first { $0.offset == 0 }!.columns
        return (main.count * cellPixelWidth, imageRows * cellPixelHeight)
    }

    /// Cell rows of slice pixels in each pane.
    public var imageRows: Int { viewRows.count - (contextPanes > 0 ? 1 : 0) }

    /// The screen pixel at the middle of cell (`column`, `row`) of a pane whose first column is
    /// `paneColumn` (the upper pixel of a half-block cell).
    public func pixel(column: Int, row: Int, paneColumn: Int) -> (x: Int, y: Int) {
        ((column - paneColumn) * cellPixelWidth + (cellPixelWidth - 1) / 2,
         (row - imageTopRow) * cellPixelHeight + (cellPixelHeight - 1) / 2)
    }

    /// The first cell row of slice pixels (context panes keep a row for their captions).
    public var imageTopRow: Int { viewRows.lowerBound + (contextPanes > 0 ? 1 : 0) }
}
