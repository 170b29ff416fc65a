import Foundation
import Testing
import TrowelVolume

/// What xterm as a VT340 does with the partial images the viewer sends for a small change: an
/// image of whole cell rows whose height is not a multiple of six, written at a cell over a
/// bigger image. It must paint exactly its own rows (no rounding up to a six-row band) and the
/// image under it must stay on screen however many such patches follow.
@Suite(.serialized) struct XtermSixelPatchTests {
    static var canRun: Bool { X11Screen.missingTools().isEmpty || ProcessInfo.processInfo.environment["CI"] != nil }

    /// A sixel image of `width` × `height` pixels in one colour (percent `r`, `g`, `b`), every
    /// band full width; the last band sets only the rows inside `height`.
    static func flat(width: Int, height: Int, r: Int, g: Int, b: Int) -> String {
        var s = "\u{1B}P9;1;0q\"1;1;\(width);\(height)#1;2;\(r);\(g);\(b)#1"
        let bands = (height + 5) / 6
        for band in 0..<bands {
            let rows = min(6, height - band * 6)
            s += "!\(width)" + String(UnicodeScalar(UInt8(63 + (1 << rows) - 1)))
            if band < bands - 1 { s += "-" }
        }
        return s + "\u{1B}\\"
    }

    @Test(.enabled(if: canRun, "needs Xvfb, xterm and ImageMagick (Scripts/install-deps); runs whenever CI is set"))
    func partialImagesPaintTheirOwnRowsOverTheFrameAndTheFrameStays() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        // xterm -fn fixed: 6×13-pixel cells. A 600×390 grey frame at the top-left cell, then 20
        // red patches of 2×2 cells (12×26 pixels: 4 full bands and 2 rows) along a diagonal.
        var text = "\u{1B}[2J\u{1B}[1;1H\u{1B}[?80l" + Self.flat(width: 600, height: 390, r: 50, g: 50, b: 50)
        for k in 0..<20 {
            text += "\u{1B}[\(3 + k);\(4 + 4 * k)H\u{1B}[?80l" + Self.flat(width: 12, height: 26, r: 100, g: 0, b: 0)
        }
        text += "\u{1B}[40;1Hdone"
        try Data(text.utf8).write(to: scratch("patches.six"))
        let started = Date()
        let screen = try X11Screen(width: 1000, height: 800)
        defer { screen.stop() }
        let displayUp = Date().timeIntervalSince(started)
        try screen.launch(["xterm", "-ti", "vt340", "-xrm", "XTerm*decTerminalID: vt340", "-xrm", "XTerm*numColorRegisters: 256",
                           "-xrm", "XTerm*maxGraphicSize: 2048x2048", "-fn", "fixed", "-geometry", "120x50+0+0",
                           "-e", "sh", "-c", "cat \(scratch("patches.six").path); sleep 120"], environment: [:])
        var shot = try screen.screenshot(to: scratch("xterm-patches.png"))
        func count(_ shot: (width: Int, height: Int, rgb: [UInt8]), _ test: (Int, Int, Int) -> Bool) -> (n: Int, rows: Set<Int>, columns: Set<Int>) {
            var n = 0, rows = Set<Int>(), columns = Set<Int>()
            for i in 0..<(shot.width * shot.height) where test(Int(shot.rgb[3 * i]), Int(shot.rgb[3 * i + 1]), Int(shot.rgb[3 * i + 2])) {
                n += 1
                rows.insert(i / shot.width)
                columns.insert(i % shot.width)
            }
            return (n, rows, columns)
        }
        let isRed = { (r: Int, g: Int, b: Int) in r > 200 && g < 30 && b < 30 }
        let isGrey = { (r: Int, g: Int, b: Int) in abs(r - 128) < 4 && r == g && g == b }
        // Under the whole suite's load xterm may take long to draw (and repaint after an expose):
        // wait until every patch and the frame are on screen, then take the shot that is judged.
        let deadline = Date().addingTimeInterval(90)
        while (count(shot, isRed).n < 20 * 12 * 26 || count(shot, isGrey).n == 0) && Date() < deadline {
            usleep(300_000)
            shot = try screen.screenshot(to: scratch("xterm-patches.png"))
        }
        usleep(500_000)
        shot = try screen.screenshot(to: scratch("xterm-patches.png"))
        let red = count(shot, isRed), grey = count(shot, isGrey)
        print(String(format: "xterm patches: %d red pixels over %d rows, %d grey, after %.1f s (display up after %.1f s)",
                     red.n, red.rows.count, grey.n, Date().timeIntervalSince(started), displayUp))
        // 20 patches of exactly 12×26 pixels (the diagonal's patches overlap no row band of 26 of
        // another's columns): not 12×30, as rounding the last band up would paint.
        #expect(red.n == 20 * 12 * 26, "red pixels \(red.n), expected \(20 * 12 * 26) (screenshot \(scratch("xterm-patches.png").path))")
        // The frame under them is still there: its grey less the patches.
        #expect(grey.n == 600 * 390 - red.n, "grey pixels \(grey.n), expected \(600 * 390 - red.n)")
    }
}
