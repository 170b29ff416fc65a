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
    /// The slice panes (and the minimap) as images at the terminal's pixel size, for terminals that
    /// draw pixels; empty when the panes are half-blocks (`AppState.panesArePixels`). Same
    /// compositing as the cells. Always at the screen's resolution: kitty scales smaller images
    /// with linear filtering, which blurs voxel edges (measured: correlation with the scan 0.94
    /// instead of 0.9999). With a `cache`, a pane whose inputs did not change is not composed again.
    public static func paneImages(_ state: AppState, cache: PaneImageCache? = nil) -> [PaneImage] {
        guard state.panesArePixels else { return [] }
        let layout = state.layout
        var images = layout.panes.map { pane in
            var v = state.viewport
            if pane.offset != 0 { v.resize(width: pane.columns.count * layout.cellPixelWidth, height: v.size.height) }
            let key: PaneImageCache.Key
            if pane.offset == 0, let frame = state.view3D?.frame {
                key = .view3D(frame, width: v.size.width, height: v.size.height, background: state.theme.background)
            } else {
                key = .slice(PaneInputs(state, offset: pane.offset, viewport: v))
            }
            let image = cache?.image(pane: pane.offset, key: key) ?? key.render()
            return PaneImage(pane: pane.offset, column: pane.columns.lowerBound, row: layout.imageTopRow,
                             columns: pane.columns.count, rows: layout.imageRows, image: image)
        }
        if let map = minimapImage(state, cache: cache) { images.append(map) }
        return images
    }

    /// The minimap as an image over its cells of the side panel (the whole slice at the coarsest
    /// level, the visible part framed), when the panel has room for one.
    static func minimapImage(_ state: AppState, cache: PaneImageCache?) -> PaneImage? {
        guard let area = SidePanel.minimapArea(state) else { return nil }
        let inputs = MinimapInputs(state, area: area)
        let key = PaneImageCache.Key.minimap(inputs)
        let image = cache?.image(pane: AppState.minimapPane, key: key) ?? key.render()
        return PaneImage(pane: AppState.minimapPane, column: area.column, row: area.row, columns: image.width / inputs.cellWidth,
                         rows: image.height / inputs.cellHeight, image: image)
    }
}

/// The last image of each pane and what it was composed from: `App.paneImages` composes a pane
/// again only when its inputs changed (a tick, a training progress line or a status message
/// leaves the slice as it was). Owned by the terminal loop; the images stay a function of the state.
public final class PaneImageCache {
    enum Key: Equatable {
        case slice(PaneInputs)
        case view3D(Rendered3D, width: Int, height: Int, background: RGB)
        case minimap(MinimapInputs)

        func render() -> PixelImage {
            switch self {
            case .slice(let inputs): return SliceView.render(inputs)
            case .view3D(let frame, let width, let height, let background): return App.scaled3D(frame.image, width: width, height: height, background: background)
            case .minimap(let inputs): return SidePanel.minimapPixels(inputs)
            }
        }
    }

    private var entries: [Int: (key: Key, image: PixelImage)] = [:]
    /// Panes composed, and panes answered from the cache, since this cache was made.
    public private(set) var composed = 0
    public private(set) var reused = 0

    public init() {}

    func image(pane: Int, key: Key) -> PixelImage {
        if let entry = entries[pane], entry.key == key {
            reused += 1
            return entry.image
        }
        let image = key.render()
        composed += 1
        entries[pane] = (key, image)
        return image
    }
}
