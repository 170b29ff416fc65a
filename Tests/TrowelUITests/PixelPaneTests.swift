import Testing
import TrowelEngine
import TrowelVolume
@testable import TrowelUI

/// Slice panes as images (kitty, sixel, iTerm2): the same compositing as half-blocks at the
/// terminal's real pixel size, the cells under them left blank, and half-blocks under overlays.
@Suite struct PixelPaneTests {
    let classes = [ClassStyle(id: 1, name: "bone", color: RGB(232, 196, 104)), ClassStyle(id: 2, name: "matrix", color: RGB(79, 134, 198))]

    func start(_ graphics: GraphicsProtocol = .sixel, cell: (Int, Int) = (5, 10), width: Int = 100, height: Int = 30) -> (FakeDriver, AppState) {
        var driver = FakeDriver(shape: Shape(z: 20, y: 200, x: 300))
        var state = AppState(scan: driver.scan, classes: classes, screen: (width, height), colorMode: .truecolor)
        state.useGraphics(graphics, cellPixels: cell)
        driver.send(.tick, to: &state)
        return (driver, state)
    }

    @Test func thePaneIsOneImageAtTheTerminalsPixelSize() {
        let (_, state) = start()
        let layout = state.layout
        let images = App.paneImages(state).filter { $0.pane != AppState.minimapPane }
        #expect(images.count == 1)
        let pane = images[0]
        #expect(pane.columns == layout.panes[0].columns.count && pane.rows == layout.imageRows && pane.row == layout.imageTopRow)
        #expect(pane.image.width == pane.columns * 5 && pane.image.height == pane.rows * 10)
        #expect(state.viewport.size.width == pane.image.width && state.viewport.size.height == pane.image.height)
        // The cells under the image carry no half-blocks.
        let grid = App.view(state)
        for r in layout.viewRows {
            for c in layout.viewColumns { #expect(grid[c, r].glyph != Cell.upperHalf) }
        }
    }

    @Test func everyVoxelOfTheFittedSliceIsShownWhereHalfBlocksShowAFraction() throws {
        let (_, state) = start()
        let image = App.paneImages(state)[0].image
        let v = state.viewport
        let contrast = state.contrast
        let slice = try #require(state.images[0])
        // Away from the cursor cross, each pixel is the grey of the voxel the viewport maps it to.
        var columnsSeen = Set<Int>()
        let y = image.height / 4
        for x in 0..<image.width {
            let voxel = v.voxel(atScreenX: x, y: y)
            let r = Int(voxel.row), c = Int(voxel.column)
            guard r >= 0, r < 200, c >= 0, c < 300 else { continue }
            let value = try #require(slice.value(fullResolutionRow: r, column: c))
            #expect(image[x, y] == state.theme.sliceColor(Double(Int(contrast.grey(Double(value)) * 255)) / 255))
            columnsSeen.insert(c)
        }
        #expect(columnsSeen.count == 300)
        #expect(slice.level == 0)
        // Half-blocks on the same screen: 69 cells across, under a quarter of the columns.
        var cells = state
        cells.useGraphics(.cells, cellPixels: (1, 2))
        #expect(cells.viewport.size.width < 100 && App.paneImages(cells).isEmpty)
    }

    @Test func kittyAndSixelGetTheSameScreenResolutionImage() {
        let (_, state) = start(.kitty)
        var sixel = state
        sixel.graphics = .sixel
        #expect(App.paneImages(state) == App.paneImages(sixel))
    }

    @Test func overlaysFallBackToHalfBlocksAndClosingThemBringsTheImageBack() {
        var (driver, state) = start()
        driver.press("?", &state)
        #expect(App.paneImages(state).isEmpty)
        let layout = state.layout
        let grid = App.view(state)
        #expect(layout.viewRows.contains { r in layout.viewColumns.contains { c in grid[c, r].glyph == Cell.upperHalf } })
        driver.send(.input(.key(.escape)), to: &state)
        #expect(App.paneImages(state).filter { $0.pane != AppState.minimapPane }.count == 1)
    }

    @Test func contextPanesAreImagesToo() {
        var (driver, state) = start(.kitty, width: 160, height: 40)
        driver.press("C", &state)
        #expect(state.contextDistance > 0)
        let images = App.paneImages(state).filter { $0.pane != AppState.minimapPane }
        #expect(images.map(\.pane) == [-1, 0, 1])
        #expect(Set(images.map { $0.image.width }).count == 1)
    }

    @Test func theMinimapIsAnImageOverItsCellsWhenPanesArePixels() throws {
        let (_, state) = start(.kitty, width: 100, height: 40)
        let map = try #require(App.paneImages(state).first { $0.pane == AppState.minimapPane })
        let layout = state.layout
        #expect(map.column >= layout.panelColumn && map.column + map.columns <= layout.width)
        #expect(map.row + map.rows <= layout.viewRows.upperBound)
        #expect(map.image.width == map.columns * 5 && map.image.height == map.rows * 10)
        // The whole 300×200 slice fits the panel's 29 cells × 5 px: every pixel of the map's width
        // but a cell's rounding shows scan, and the cells under it carry no half-blocks.
        let scan = (0..<map.image.width).filter { map.image[$0, map.image.height / 3] != state.theme.background }.count
        #expect(scan >= map.image.width - 5, "\(scan) of \(map.image.width) columns show the scan")
        let grid = App.view(state)
        for r in map.row..<(map.row + map.rows) {
            for c in map.column..<(map.column + map.columns) { #expect(grid[c, r].glyph != Cell.upperHalf) }
        }
        // Half-blocks: the minimap is cells again, and no image.
        var cells = state
        cells.useGraphics(.cells, cellPixels: (1, 2))
        #expect(App.paneImages(cells).isEmpty)
        let cellGrid = App.view(cells)
        #expect((map.row..<(map.row + map.rows)).contains { r in (map.column..<(map.column + map.columns)).contains { cellGrid[$0, r].glyph == Cell.upperHalf } })
    }

    @Test func theMinimapFramesTheVisiblePartWhenZoomedIn() throws {
        var (driver, state) = start(.kitty, width: 100, height: 40)
        let before = try #require(App.paneImages(state).first { $0.pane == AppState.minimapPane })
        driver.press("+", &state)
        driver.press("+", &state)
        let after = try #require(App.paneImages(state).first { $0.pane == AppState.minimapPane })
        let accent = state.theme.accent
        #expect(!before.image.pixels.contains(accent))
        #expect(after.image.pixels.filter { $0 == accent }.count > 20)
    }

    @Test func unchangedPanesComeFromTheCacheAndChangedOnesAreComposedAgain() {
        var (driver, state) = start(.kitty, width: 160, height: 40)
        driver.press("C", &state)
        let cache = PaneImageCache()
        let first = App.paneImages(state, cache: cache)
        #expect(first == App.paneImages(state))
        #expect(cache.composed == first.count && cache.reused == 0)
        // A tick or a status message changes nothing a pane shows.
        driver.send(.tick, to: &state)
        state.message = "hello"
        let again = App.paneImages(state, cache: cache)
        #expect(again == first && cache.composed == first.count && cache.reused == first.count)
        // The cursor moves: the main pane (its cross) is composed again, the context panes are not.
        driver.press("l", &state)
        let moved = App.paneImages(state, cache: cache)
        #expect(moved == App.paneImages(state))
        #expect(moved.first { $0.pane == 0 } != first.first { $0.pane == 0 })
        #expect(moved.first { $0.pane == -1 } == first.first { $0.pane == -1 })
        #expect(moved.first { $0.pane == 1 } == first.first { $0.pane == 1 })
        #expect(cache.composed > first.count && cache.composed <= first.count + 2)
    }

    @Test func aClickPaintsTheVoxelUnderTheMiddleOfTheCell() {
        var (driver, state) = start()
        let layout = state.layout
        let row = layout.imageTopRow + 7, column = layout.panes[0].columns.lowerBound + 30
        driver.send(.input(.mouse(MouseEvent(button: .left, action: .press, column: column, row: row))), to: &state)
        driver.send(.input(.mouse(MouseEvent(button: .left, action: .release, column: column, row: row))), to: &state)
        let expected = state.viewport.voxelIndex(atScreenX: 30 * 5 + 2, y: 7 * 10 + 4)
        #expect(state.viewport.cursor == expected)
        #expect(driver.labels.elements.contains(1))
    }
}

/// The config key `graphics` and the `--graphics` values.
@Suite struct GraphicsConfigTests {
    @Test func theConfigChoosesTheBackEndAndWarnsOnNonsense() throws {
        #expect(try Config(toml: "graphics = \"sixel\"").graphics == .forced(.sixel))
        #expect(try Config(toml: "graphics = \"auto\"").graphics == .auto)
        #expect(try Config(toml: "theme = \"dark\"").graphics == .auto)
        let bad = try Config(toml: "graphics = \"png\"")
        #expect(bad.graphics == .auto && bad.warnings == ["graphics = \"png\": use auto, kitty, sixel, iterm or cells"])
    }
}
