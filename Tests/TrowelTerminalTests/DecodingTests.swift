import CNcursesw
import Testing
import TrowelUI
@testable import TrowelTerminal

/// Pure decoding: no curses screen is started, so these run in parallel with everything else.
@Suite struct DecodingTests {
    @Test func sgrReportsDecodeButtonsActionsAndZeroBasedCells() {
        #expect(SGRMouseReport.decode("\u{1B}[<0;10;5M") == MouseEvent(button: .left, action: .press, column: 9, row: 4))
        #expect(SGRMouseReport.decode("\u{1B}[<1;1;1M") == MouseEvent(button: .middle, action: .press, column: 0, row: 0))
        #expect(SGRMouseReport.decode("\u{1B}[<2;3;4M") == MouseEvent(button: .right, action: .press, column: 2, row: 3))
        #expect(SGRMouseReport.decode("\u{1B}[<32;11;5M") == MouseEvent(button: .left, action: .drag, column: 10, row: 4))
        #expect(SGRMouseReport.decode("\u{1B}[<34;11;5M") == MouseEvent(button: .right, action: .drag, column: 10, row: 4))
        #expect(SGRMouseReport.decode("\u{1B}[<0;12;6m") == MouseEvent(button: .left, action: .release, column: 11, row: 5))
        #expect(SGRMouseReport.decode("\u{1B}[<64;7;8M") == MouseEvent(button: .wheelUp, action: .press, column: 6, row: 7))
        #expect(SGRMouseReport.decode("\u{1B}[<65;7;8M") == MouseEvent(button: .wheelDown, action: .press, column: 6, row: 7))
        #expect(SGRMouseReport.decode("\u{1B}[<35;2;2M") == MouseEvent(button: .none, action: .drag, column: 1, row: 1))
    }

    @Test func sgrModifiersAreShiftFourAltEightControlSixteen() {
        #expect(SGRMouseReport.decode("\u{1B}[<4;1;1M") == MouseEvent(button: .left, action: .press, column: 0, row: 0, shift: true))
        #expect(SGRMouseReport.decode("\u{1B}[<8;1;1M") == MouseEvent(button: .left, action: .press, column: 0, row: 0, alt: true))
        #expect(SGRMouseReport.decode("\u{1B}[<16;1;1M") == MouseEvent(button: .left, action: .press, column: 0, row: 0, control: true))
        #expect(SGRMouseReport.decode("\u{1B}[<62;1;1M")
            == MouseEvent(button: .right, action: .drag, column: 0, row: 0, shift: true, alt: true, control: true))
    }

    @Test func malformedSgrReportsAreRejected() {
        #expect(SGRMouseReport.decode("\u{1B}[<0;0;5M") == nil)  // coordinates are 1-based
        #expect(SGRMouseReport.decode("\u{1B}[<0;5M") == nil)
        #expect(SGRMouseReport.decode("\u{1B}[<x;1;1M") == nil)
        #expect(SGRMouseReport.decode("\u{1B}[<0;1;1X") == nil)
        #expect(SGRMouseReport.decode("\u{1B}[<66;1;1M") == nil)  // horizontal wheel: unused
    }

    func decode(_ text: String) -> [InputEvent] {
        var decoder = InputDecoder()
        return decoder.feed(text.unicodeScalars.map(RawInput.character)) + decoder.flush()
    }

    @Test func decoderSplitsKeysAndMouseReportsFromOneBurst() {
        #expect(decode("a\u{1B}[<0;3;4Mb\u{1B}[<0;3;4m") == [
            .key(.character("a")), .mouse(MouseEvent(button: .left, action: .press, column: 2, row: 3)),
            .key(.character("b")), .mouse(MouseEvent(button: .left, action: .release, column: 2, row: 3)),
        ])
    }

    @Test func decoderHoldsAPartialReportAcrossReads() {
        var decoder = InputDecoder()
        #expect(decoder.feed("\u{1B}[<32;5".unicodeScalars.map(RawInput.character)).isEmpty)
        #expect(decoder.isMidSequence)
        #expect(decoder.feed(";9M".unicodeScalars.map(RawInput.character))
            == [.mouse(MouseEvent(button: .left, action: .drag, column: 4, row: 8))])
        #expect(!decoder.isMidSequence)
    }

    @Test func loneEscapeIsTheEscapeKeyAndAltLetterIsEscapeThenLetter() {
        #expect(decode("\u{1B}") == [.key(.escape)])
        #expect(decode("\u{1B}x") == [.key(.escape), .key(.character("x"))])
        #expect(decode("\u{1B}\u{1B}") == [.key(.escape), .key(.escape)])
    }

    @Test func unknownAndTruncatedSequencesAreDroppedNotTyped() {
        #expect(decode("\u{1B}[200~q") == [.key(.character("q"))])
        #expect(decode("\u{1B}[<0;1") == [])
        #expect(decode("\u{1B}[<0;1;1Xq") == [.key(.character("q"))])
    }

    @Test func controlBytesBecomeCtrlLettersExceptTabAndEnter() {
        #expect(decode("\u{12}") == [.key(.control("r"))])
        #expect(decode("\u{01}\u{1A}") == [.key(.control("a")), .key(.control("z"))])
        #expect(decode("\u{03}") == [.key(.control("c"))])  // raw(): Ctrl-C is a key, not SIGINT
        #expect(decode("\t\r\n") == [.key(.tab), .key(.enter), .key(.enter)])
        #expect(decode("\u{7F}") == [.key(.backspace)])
        #expect(decode("é▀ ?") == [.key(.character("é")), .key(.character("▀")), .key(.character(" ")), .key(.character("?"))])
        #expect(decode("\u{00}\u{1C}") == [])
    }

    @Test func curseKeyCodesMapToKeys() {
        let table: [(Int32, Key)] = [
            (KEY_UP, .up), (KEY_DOWN, .down), (KEY_LEFT, .left), (KEY_RIGHT, .right), (KEY_HOME, .home),
            (KEY_END, .end), (KEY_PPAGE, .pageUp), (KEY_NPAGE, .pageDown), (KEY_DC, .delete), (KEY_IC, .insert),
            (KEY_BACKSPACE, .backspace), (KEY_ENTER, .enter), (KEY_BTAB, .backTab),
            (trowel_key_f(1), .function(1)), (trowel_key_f(12), .function(12)),
        ]
        for (code, key) in table { #expect(KeyMapping.key(forKeyCode: code) == key) }
        #expect(KeyMapping.key(forKeyCode: trowel_key_f(13)) == nil)
    }

    @Test func directColourNumbersAreRGBAndNeverPaletteIndices() {
        let direct = ColorNumbers(colors: 1 << 24)
        #expect(direct.number(for: .rgb(RGB(255, 128, 0))) == 0xFF8000)
        #expect(direct.number(for: .rgb(.black)) == 0x000100)  // 0 would be ANSI black from the palette
        #expect(direct.number(for: .rgb(RGB(0, 0, 7))) >= 8)
        #expect(direct.number(for: .indexed(1)) == 1)
        #expect(direct.number(for: .indexed(196)) == 0xFF0000)
        #expect(direct.number(for: .indexed(232)) == 0x080808)
        #expect(direct.number(for: .terminalDefault) == -1)
        #expect(direct.effectiveMode(.truecolor) == .truecolor)
    }

    @Test func forcedTruecolorOnAPaletteTerminalFallsBackTo256Colours() {
        let palette = ColorNumbers(colors: 256)
        #expect(palette.effectiveMode(.truecolor) == .palette256)
        #expect(palette.effectiveMode(.ansi16) == .ansi16)
        #expect(palette.number(for: .rgb(RGB(255, 0, 0))) == 196)
        #expect(palette.number(for: .indexed(42)) == 42)
        let ansi = ColorNumbers(colors: 8)
        #expect(ansi.effectiveMode(.palette256) == .ansi16)
        #expect(ansi.number(for: .indexed(200)) < 8)
        #expect(ColorNumbers(colors: 0).effectiveMode(.truecolor) == .mono)
    }

    @Test func errorMessagesSayWhatToDo() {
        #expect(TerminalError.notATerminal(stream: "stdin").description
            == "trowel needs a terminal: stdin is not a TTY; use the headless commands (trowel info, convert, …) in scripts")
        #expect(TerminalError.dumbTerminal("dumb").description.contains("TERM=dumb"))
        #expect(TerminalError.unknownTerminalType("vt9000").description.contains("ncurses-term"))
    }
}

@Suite struct DirectColorTerminalTests {
    let installed: (String) -> Bool = { ["xterm-direct", "tmux-direct"].contains($0) }

    @Test func truecolorTerminalsGetTheDirectEntry() {
        #expect(DirectColorTerminal.terminalType(term: "xterm-256color", colorTerm: "truecolor", forced: nil, isInstalled: installed) == "xterm-direct")
        #expect(DirectColorTerminal.terminalType(term: "tmux-256color", colorTerm: "24bit", forced: nil, isInstalled: installed) == "tmux-direct")
        #expect(DirectColorTerminal.terminalType(term: "xterm-256color", colorTerm: nil, forced: .truecolor, isInstalled: installed) == "xterm-direct")
    }

    @Test func othersKeepTheirTerm() {
        #expect(DirectColorTerminal.terminalType(term: "xterm-256color", colorTerm: nil, forced: nil, isInstalled: installed) == "xterm-256color")
        #expect(DirectColorTerminal.terminalType(term: "xterm-256color", colorTerm: "truecolor", forced: .palette256, isInstalled: installed) == "xterm-256color")
        #expect(DirectColorTerminal.terminalType(term: "screen-256color", colorTerm: "truecolor", forced: nil, isInstalled: installed) == "screen-256color")
        #expect(DirectColorTerminal.terminalType(term: "xterm-direct", colorTerm: "truecolor", forced: nil, isInstalled: installed) == "xterm-direct")
        #expect(DirectColorTerminal.terminalType(term: nil, colorTerm: "truecolor", forced: nil, isInstalled: installed) == nil)
    }

    @Test func findsInstalledEntries() {
        #expect(DirectColorTerminal.entryExists("xterm-256color"))
        #expect(!DirectColorTerminal.entryExists("no-such-terminal-anywhere"))
    }
}
