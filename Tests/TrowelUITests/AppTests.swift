import Foundation
import Testing
import TrowelEngine
import TrowelVolume
@testable import TrowelUI

@Suite struct AppTests {
    let classes = [ClassStyle(id: 1, name: "bone", color: RGB(232, 196, 104)), ClassStyle(id: 2, name: "matrix", color: RGB(79, 134, 198))]

    func start(width: Int = 100, height: Int = 30, mode: ColorMode = .palette256) -> (FakeDriver, AppState) {
        var driver = FakeDriver(shape: Shape(z: 20, y: 40, x: 60))
        var state = AppState(scan: driver.scan, classes: classes, screen: (width, height), colorMode: mode)
        driver.send(.tick, to: &state)
        return (driver, state)
    }

    @Test func firstFrameLoadsTheVisibleSliceTheMinimapAndLabels() {
        let (driver, state) = start()
        #expect(state.images[0] != nil && state.images[AppState.minimapPane] != nil)
        #expect(state.labels?.index == 10)
        #expect(driver.log.filter { if case .loadSlice = $0 { return true } else { return false } }.count == 2)
    }

    @Test func keyboardStrokeUndoAndRedo() {
        var (driver, state) = start()
        driver.send(.input(.key(.character(","))), to: &state)   // radius 2 → 1
        #expect(state.brushRadius == 1)
        driver.press(" lll ", &state)                             // pen down, 3 moves, pen up
        let painted = driver.labels.elements.filter { $0 == 1 }.count
        #expect(painted > 5)
        #expect(state.labelCounts[1] == painted && state.canUndo)
        let paints = driver.log.compactMap { if case .paint(_, let new) = $0 { return new } else { return nil } }
        #expect(paints == [true, false, false, false])             // one stroke
        #expect(driver.log.last(where: { $0 == .endStroke }) != nil)
        driver.press("u", &state)
        #expect(driver.labels.elements.allSatisfy { $0 == 0 } && state.canRedo && state.labelCounts[1] == nil)
        driver.send(.input(.key(.control("r"))), to: &state)
        #expect(driver.labels.elements.filter { $0 == 1 }.count == painted)
    }

    @Test func secondClassAndEraserWithTheMouse() {
        var (driver, state) = start()
        let layout = state.layout
        let row = layout.imageTopRow + 5, column = layout.panes[0].columns.lowerBound + 20
        driver.press("2", &state)
        driver.send(.input(.mouse(MouseEvent(button: .left, action: .press, column: column, row: row))), to: &state)
        driver.send(.input(.mouse(MouseEvent(button: .left, action: .drag, column: column + 6, row: row))), to: &state)
        driver.send(.input(.mouse(MouseEvent(button: .left, action: .release, column: column + 6, row: row))), to: &state)
        let matrix = driver.labels.elements.filter { $0 == 2 }.count
        #expect(matrix > 10)
        driver.send(.input(.mouse(MouseEvent(button: .right, action: .press, column: column, row: row))), to: &state)
        driver.send(.input(.mouse(MouseEvent(button: .right, action: .release, column: column, row: row))), to: &state)
        #expect(driver.labels.elements.filter { $0 == 2 }.count < matrix)
        #expect(driver.undo.count == 2)
    }

    @Test func fillPaintsOnlyInsideTheWindow() {
        var (driver, state) = start()
        // The brush disc around the centre voxel holds values 160…199; the window takes the upper part.
        state.contrast = Contrast(low: 180, high: 199)
        driver.press("f ", &state)
        driver.send(.input(.key(.character(" "))), to: &state)
        let painted = zip(driver.labels.elements, driver.levels[0].elements).filter { $0.0 == 1 }
        #expect(!painted.isEmpty && painted.allSatisfy { $0.1 >= 180 })
        #expect(painted.count < PaintDab(axis: .z, slice: 0, row: 0, column: 0, radius: 2, value: 1).offsets.count)
    }

    @Test func slicesAxisAndZoomKeepTheCursorConsistent() {
        var (driver, state) = start()
        driver.press("lljj]]", &state)
        let voxel = state.viewport.cursor
        #expect(voxel.z == 12)
        driver.press("++x", &state)
        #expect(state.viewport.cursor == voxel && state.viewport.axis == .y)
        #expect(state.labels?.axis == .y && state.labels?.index == voxel.y)
        #expect(state.images[0]?.axis == .y && state.images[0]?.index == voxel.y)
        driver.press("xx", &state)
        #expect(state.viewport.axis == .z && state.viewport.cursor == voxel)
    }

    @Test func unknownKeysAndMissingClassesExplainThemselves() {
        var (driver, state) = start()
        driver.press("Z", &state)
        #expect(state.message?.contains("? lists the keys") == true)
        driver.press("7", &state)
        #expect(state.messageIsError && state.message?.contains("no class 7") == true)
    }

    @Test func commandLineAddsClassesAndSwitchesThemes() {
        var (driver, state) = start()
        state.themes = [.dark, Theme(name: "light", background: .white, text: .black, dim: RGB(grey: 100), accent: .black,
                                     panel: .white, statusBackground: .white, statusText: .black, warning: .black,
                                     cursor: .black, classPalette: [], sliceColormap: [.black, .white])]
        driver.press(":class add tooth #ff0000", &state)
        driver.send(.input(.key(.enter)), to: &state)
        #expect(driver.log.contains(.addClass(name: "tooth", color: RGB(255, 0, 0))))
        driver.press(":theme light", &state)
        driver.send(.input(.key(.enter)), to: &state)
        #expect(state.theme.name == "light")
        driver.press(":bogus", &state)
        driver.send(.input(.key(.enter)), to: &state)
        #expect(state.messageIsError)
    }

    @Test func readOnlySessionsDoNotPaint() {
        var (driver, state) = start()
        state.readOnly = true
        driver.press(" ", &state)
        #expect(state.message?.contains("read-only") == true && !state.penDown)
        driver.press("lu", &state)
        #expect(driver.labels.elements.allSatisfy { $0 == 0 } && !driver.log.contains(.undo))
    }

    @Test func tinyTerminalGetsAMessageNotGarbage() {
        var (driver, state) = start()
        driver.send(.input(.resize(width: 50, height: 15)), to: &state)
        #expect(App.view(state).text.contains("needs at least 60×20"))
    }

    @Test(arguments: ColorMode.allCases)
    func screenSnapshot(mode: ColorMode) {
        var (driver, state) = start(width: 90, height: 24, mode: mode)
        driver.press(" ll jj ", &state)
        driver.press("2", &state)
        let grid = App.view(state)
        expectSnapshot(grid.text, named: "screen-\(mode.rawValue)")
        if mode == .palette256 || mode == .ansi16 {
            expectSnapshot(grid.colorDump, named: "screen-colors-\(mode.rawValue)")
        }
    }

    @Test func helpIsGeneratedFromTheCommandTable() {
        var (driver, state) = start(width: 120, height: 40)
        driver.press("?", &state)
        let text = App.view(state).text
        for command in [Command.undo, .cycleAxis, .autoContrast, .quit] { #expect(text.contains(command.help)) }
        #expect(text.contains("Ctrl-r"))
        driver.press("x", &state)
        #expect(state.overlay == nil && state.viewport.axis == .z)
    }

    @Test func remappedKeysTakeEffect() {
        var keymap = Keymap.standard
        let problems = keymap.apply(remappings: ["undo": ["z"], "nonsense": ["q"], "redo": ["Ctrl-y", "???"]])
        #expect(keymap.command(for: .character("z")) == .undo)
        #expect(keymap.command(for: .control("y")) == .redo)
        #expect(problems.count == 2)
    }
}

@Suite struct ThemeAndConfigTests {
    @Test func themeFilesParseAndOverrideTheDefaults() throws {
        let theme = try Theme(toml: """
            name = "test"
            [ui]
            accent = "#102030"   # a comment
            [classes]
            palette = ["#ff0000", "#00ff00"]
            """, fallbackName: "file")
        #expect(theme.name == "test" && theme.accent == RGB(16, 32, 48) && theme.classPalette.count == 2)
        #expect(theme.text == Theme.dark.text)
        #expect(throws: ThemeError.self) { try Theme(toml: "[ui]\naccent = \"red\"", fallbackName: "bad") }
        #expect(throws: ThemeError.self) { try Theme(toml: "[ui\n", fallbackName: "bad") }
    }

    @Test func bundledThemesAllLoad() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Themes")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".toml") }.sorted()
        #expect(names == ["colorblind.toml", "dark.toml", "light.toml"])
        for name in names {
            let theme = try Theme(toml: String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8), fallbackName: name)
            #expect(theme.classPalette.count >= 2)
        }
    }

    @Test func configReadsThemeColourAndKeys() throws {
        let config = try Config(toml: """
            theme = "light"
            color = "16"
            fancy = true
            [keys]
            undo = "z"
            teleport = "t"
            """)
        #expect(config.theme == "light" && config.colorMode == .ansi16)
        #expect(config.keymap.command(for: .character("z")) == .undo)
        #expect(config.warnings.count == 2)
    }
}
