extension App {
    /// Draws the whole screen for `state`.
    public static func view(_ state: AppState) -> CellGrid {
        var grid = CellGrid(width: state.screen.width, height: state.screen.height)
        let layout = state.layout
        let painter = Painter(mode: state.colorMode, theme: state.theme)
        let chrome = Chrome(state: state, painter: painter)
        guard !layout.isTooSmall else {
            chrome.drawTooSmall(into: &grid)
            return grid
        }
        painter.fill(&grid, columns: layout.viewColumns, rows: layout.viewRows, background: state.theme.background)
        let size = state.viewport.size
        let slice = SliceView(state: state)
        let pixelPanes = state.panesArePixels
        for pane in layout.panes {
            let offset = pane.offset * state.contextDistance
            if pane.offset != 0 {
                let index = state.viewport.slice + offset
                let caption = index >= 0 && index < state.viewport.sliceCount ? "\(state.viewport.axis) \(index)  (\(offset > 0 ? "+" : "")\(offset))" : "—"
                painter.text(&grid, caption, column: pane.columns.lowerBound, row: layout.viewRows.lowerBound, width: pane.columns.count,
                             foreground: state.theme.dim, background: state.theme.background)
            } else if state.contextDistance > 0 {
                painter.text(&grid, "\(state.viewport.axis) \(state.viewport.slice)", column: pane.columns.lowerBound,
                             row: layout.viewRows.lowerBound, width: pane.columns.count, foreground: state.theme.accent,
                             background: state.theme.background)
            }
            // With pixels on, the pane's cells stay blank: the image goes over them (paneImages).
            guard !pixelPanes else { continue }
            let pixels = pane.offset == 0 ? view3DPixels(state, size: (pane.columns.count, size.height))
                ?? slice.pixels(offset: 0, size: (pane.columns.count, size.height))
                : slice.pixels(offset: pane.offset, size: (pane.columns.count, size.height))
            pixels.draw(into: &grid, column: pane.columns.lowerBound, row: layout.imageTopRow, mode: state.colorMode)
        }
        SidePanel(state: state).draw(into: &grid, painter: painter)
        chrome.drawTitle(into: &grid)
        chrome.drawStatus(into: &grid)
        switch state.overlay {
        case .help?: chrome.drawHelp(into: &grid)
        case .tasks(let selected)?: chrome.drawTasks(into: &grid, selected: selected)
        case .models(let selected)?: chrome.drawModels(into: &grid, selected: selected)
        case .jobs(let selected)?: chrome.drawJobs(into: &grid, selected: selected)
        case .prompt?, nil: break
        }
        return grid
    }
}

extension App {
    /// The slice panes as images at the terminal's pixel size, for terminals that draw pixels; empty
    /// when the panes are half-blocks (`AppState.panesArePixels`). Same compositing as the cells.
    /// Always at the screen's resolution: kitty scales smaller images with linear filtering, which
    /// blurs voxel edges (measured: correlation with the scan 0.94 instead of 0.9999).
    public static func paneImages(_ state: AppState) -> [PaneImage] {
        guard state.panesArePixels else { return [] }
        let layout = state.layout
        let slice = SliceView(state: state)
        return layout.panes.map { pane in
            var v = state.viewport
            if pane.offset != 0 { v.resize(width: pane.columns.count * layout.cellPixelWidth, height: v.size.height) }
            let image = pane.offset == 0 ? view3DPixels(state, size: v.size) ?? slice.pixels(offset: 0, viewport: v)
                : slice.pixels(offset: pane.offset, viewport: v)
            return PaneImage(pane: pane.offset, column: pane.columns.lowerBound, row: layout.imageTopRow,
                             columns: pane.columns.count, rows: layout.imageRows, image: image)
        }
    }
}
