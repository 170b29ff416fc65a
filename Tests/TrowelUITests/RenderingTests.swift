import Testing
@testable import TrowelUI

@Suite struct RenderingTests {
    /// A 12×6 grey ramp with a red label patch and a blue one.
    var image: PixelImage {
        var img = PixelImage(width: 12, height: 6)
        for y in 0..<6 {
            for x in 0..<12 { img[x, y] = RGB(grey: UInt8(x * 255 / 11)) }
        }
        img[2, 2] = RGB(220, 40, 40)
        img[3, 3] = RGB(40, 80, 230)
        return img
    }

    func rendered(_ mode: ColorMode) -> CellGrid {
        var grid = CellGrid(width: 12, height: 3)
        image.draw(into: &grid, column: 0, row: 0, mode: mode)
        return grid
    }

    @Test(arguments: ColorMode.allCases)
    func halfBlockSnapshot(mode: ColorMode) {
        expectSnapshot(rendered(mode).colorDump, named: "halfblock-\(mode.rawValue)")
    }

    @Test func truecolorKeepsEveryPixelExactly() {
        let grid = rendered(.truecolor)
        #expect(grid[2, 1].foreground == .rgb(RGB(220, 40, 40)))
        #expect(grid[3, 1].background == .rgb(RGB(40, 80, 230)))
        #expect(grid[0, 0].glyph == "▀")
    }

    @Test func ditheringPreservesMeanGreyOnA256ColourTerminal() {
        // A flat grey between two ramp steps: the 4×4 dither mixes both so the average is right.
        var img = PixelImage(width: 8, height: 8, fill: RGB(grey: 131))
        img[0, 0] = RGB(grey: 131)
        var grid = CellGrid(width: 8, height: 4)
        img.draw(into: &grid, column: 0, row: 0, mode: .palette256)
        var sum = 0.0
        for cell in grid.cells {
            for c in [cell.foreground, cell.background] {
                guard case .indexed(let i) = c, i >= 232 else { Issue.record("not a ramp grey: \(c)"); continue }
                sum += Double(8 + 10 * (Int(i) - 232))
            }
        }
        #expect(abs(sum / 64 - 131) < 1.5)
    }

    @Test func modeDetection() {
        #expect(ColorMode.detect(term: "xterm-256color", colorTerm: "truecolor", colors: 256) == .truecolor)
        #expect(ColorMode.detect(term: "tmux-direct", colorTerm: nil, colors: 16_777_216) == .truecolor)
        #expect(ColorMode.detect(term: "xterm-256color", colorTerm: nil, colors: 256) == .palette256)
        #expect(ColorMode.detect(term: "linux", colorTerm: nil, colors: 8) == .ansi16)
        #expect(ColorMode.detect(term: "vt100", colorTerm: nil, colors: -1) == .mono)
    }

    @Test func gridDiffSendsOnlyChangedRuns() {
        var a = CellGrid(width: 10, height: 2)
        a.put("hello", column: 0, row: 0)
        var b = a
        b.put("J", column: 0, row: 0)
        b.put("xy", column: 7, row: 1)
        let runs = b.changes(from: a)
        #expect(runs.map { [$0.row, $0.column, $0.cells.count] } == [[0, 0, 1], [1, 7, 2]])
        #expect(b.changes(from: nil).count == 2)
        #expect(b.text == "Jello\n       xy")
    }
}
