import Testing
import TrowelUI
@testable import TrowelTerminal

/// The graphics decision on reply bytes recorded from real terminals here (kitty 0.26.5 and
/// xterm 379 as `xterm -ti vt340`, under Xvfb, answering `GraphicsProbe.queries`).
@Suite struct GraphicsDetectionTests {
    static let kittyReplies = Array("\u{1B}_Gi=31;OK\u{1B}\\\u{1B}P>|kitty(0.26.5)\u{1B}\\\u{1B}[6;18;9t\u{1B}[4;396;639t\u{1B}[?62;c".utf8)
    static let xtermReplies = Array("\u{1B}P>|XTerm(379)\u{1B}\\\u{1B}[?1;0;1024S\u{1B}[?63;1;2;4;6;9;15;16;22;28c".utf8)
    /// tmux 3.3a answers XTVERSION and DA1 itself (no sixel), not the kitty query or the sizes.
    static let tmuxReplies = Array("\u{1B}P>|tmux 3.3a\u{1B}\\\u{1B}[?1;2c".utf8)

    @Test func repliesParseFromRecordedBytes() {
        let kitty = TerminalReplies(parsing: Self.kittyReplies)
        #expect(kitty.kittyGraphics == true)
        #expect(kitty.version == "kitty(0.26.5)")
        #expect(kitty.cellSize?.width == 9 && kitty.cellSize?.height == 18)
        #expect(kitty.windowSize?.width == 639 && kitty.windowSize?.height == 396)
        #expect(kitty.deviceAttributes == [62, 0])
        #expect(!kitty.hasSixel && kitty.isComplete)
        let xterm = TerminalReplies(parsing: Self.xtermReplies)
        #expect(xterm.kittyGraphics == nil)
        #expect(xterm.version == "XTerm(379)")
        #expect(xterm.colorRegisters == 1024)
        #expect(xterm.hasSixel && xterm.cellSize == nil)
    }

    @Test func repliesSurviveKeysTypedMeanwhileAndPartialInput() {
        var bytes = Array("jk".utf8) + Self.kittyReplies.prefix(20)
        #expect(!TerminalReplies(parsing: bytes).isComplete)
        bytes = Array("jk".utf8) + Self.kittyReplies + Array("q".utf8)
        #expect(TerminalReplies(parsing: bytes).kittyGraphics == true)
        let refused = TerminalReplies(parsing: Array("\u{1B}_Gi=31;ENOTSUPPORTED:no\u{1B}\\\u{1B}[?62;c".utf8))
        #expect(refused.kittyGraphics == false)
    }

    @Test func kittyIsChosenWithItsOwnCellSize() {
        let setup = GraphicsDetection.decide(request: .auto, replies: TerminalReplies(parsing: Self.kittyReplies),
                                             environment: ["TERM": "xterm-kitty"], cells: (71, 22), windowPixels: (639, 396))
        #expect(setup.graphics == .kitty)
        #expect(setup.cellSize == (9, 18))
        #expect(!setup.tmuxPassthrough && setup.note == nil)
    }

    @Test func xtermVT340GetsSixelSizedFromTheKernelsPixels() {
        // xterm does not answer CSI 16 t (window ops are off by default); TIOCGWINSZ said 484×316 for 80×24.
        let setup = GraphicsDetection.decide(request: .auto, replies: TerminalReplies(parsing: Self.xtermReplies),
                                             environment: ["TERM": "xterm"], cells: (80, 24), windowPixels: (484, 316))
        #expect(setup.graphics == .sixel)
        #expect(setup.cellSize == (6, 13))
        #expect(setup.sixelRegisters == 1024)
    }

    @Test func noCellSizeMeansHalfBlocksWithAReason() {
        let setup = GraphicsDetection.decide(request: .auto, replies: TerminalReplies(parsing: Self.xtermReplies),
                                             environment: [:], cells: (80, 24))
        #expect(setup.graphics == .cells)
        #expect(setup.note?.contains("cell size") == true)
    }

    @Test func plainTerminalsGetHalfBlocksSilently() {
        let setup = GraphicsDetection.decide(request: .auto, replies: TerminalReplies(parsing: Array("\u{1B}[?62;22c".utf8)),
                                             environment: ["TERM": "xterm-256color"], cells: (80, 24), windowPixels: (800, 480))
        #expect(setup.graphics == .cells && setup.note == nil)
        // No answer at all (timed out): still cells.
        #expect(GraphicsDetection.decide(request: .auto, replies: TerminalReplies(), environment: [:], cells: (80, 24)).graphics == .cells)
    }

    @Test func tmuxWithoutPassthroughSaysSoOnce() {
        let setup = GraphicsDetection.decide(request: .auto, replies: TerminalReplies(parsing: Self.tmuxReplies),
                                             environment: ["TERM": "tmux-256color", "TMUX": "/tmp/tmux-0/default,1,0", "KITTY_WINDOW_ID": "1"],
                                             cells: (80, 24), tmux: TmuxInfo(passthrough: false, clientTerminal: "xterm-kitty"))
        #expect(setup.graphics == .cells)
        #expect(setup.note?.contains("allow-passthrough") == true)
    }

    @Test func tmuxWithPassthroughInKittyWrapsKittyImages() {
        let setup = GraphicsDetection.decide(request: .auto, replies: TerminalReplies(parsing: Self.tmuxReplies),
                                             environment: ["TERM": "tmux-256color", "TMUX": "/tmp/tmux-0/default,1,0"],
                                             cells: (80, 24), windowPixels: (720, 432),
                                             tmux: TmuxInfo(passthrough: true, clientTerminal: "xterm-kitty"))
        #expect(setup.graphics == .kitty && setup.tmuxPassthrough)
        #expect(setup.cellSize == (9, 18))
    }

    @Test func iTermIsKnownByItsEnvironment() {
        let setup = GraphicsDetection.decide(request: .auto, replies: TerminalReplies(parsing: Array("\u{1B}[?62;4c".utf8)),
                                             environment: ["TERM_PROGRAM": "iTerm.app", "LC_TERMINAL": "iTerm2"],
                                             cells: (100, 30), windowPixels: (1400, 900))
        #expect(setup.graphics == .iterm)
    }

    @Test func forcedChoicesWin() {
        let kitty = TerminalReplies(parsing: Self.kittyReplies)
        #expect(GraphicsDetection.decide(request: .forced(.cells), replies: kitty, environment: [:], cells: (71, 22)).graphics == .cells)
        #expect(GraphicsDetection.decide(request: .forced(.sixel), replies: kitty, environment: [:], cells: (71, 22)).graphics == .sixel)
        #expect(GraphicsRequest("sixel") == .forced(.sixel) && GraphicsRequest("auto") == .auto && GraphicsRequest("png") == nil)
    }

    @Test func tmuxPassthroughDoublesEscapesAndLeavesCursorMovesToTmux() {
        let bytes = Array("\u{1B}7\u{1B}[3;4H\u{1B}_Ga=T;QUJD\u{1B}\\\u{1B}8".utf8)
        let wrapped = String(decoding: TmuxPassthrough.wrap(bytes), as: UTF8.self)
        #expect(wrapped == "\u{1B}7\u{1B}[3;4H\u{1B}Ptmux;\u{1B}\u{1B}_Ga=T;QUJD\u{1B}\u{1B}\\\u{1B}\\\u{1B}8")
    }
}

private func == (a: (width: Int, height: Int), b: (Int, Int)) -> Bool { a.width == b.0 && a.height == b.1 }
