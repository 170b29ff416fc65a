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

    public init(width: Int, height: Int, contextPanes: Int) {
        self.width = width
        self.height = height
        self.contextPanes = contextPanes
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

    /// The main pane's size in screen pixels (one column wide, half a row tall each); the title row of
    /// each pane is not part of it.
    public var paneSize: (width: Int, height: Int) {
        let main = panes.first { $0.offset == 0 }!.columns
        return (main.count, 2 * (viewRows.count - (contextPanes > 0 ? 1 : 0)))
    }

    /// The first cell row of slice pixels (context panes keep a row for their captions).
    public var imageTopRow: Int { viewRows.lowerBound + (contextPanes > 0 ? 1 : 0) }
}
