import Foundation
import Glibc
import Testing
import TrowelUI
@testable import TrowelTerminal

/// The curses layer itself, headless (newterm on a pipe and a file). Serialized: ncurses has one
/// current screen per process and is not thread-safe.
@Suite(.serialized) struct CursesBackendTests {
    /// A screen-sized picture of half blocks in many colours, as a slice view draws it.
    func picture(width: Int, height: Int, shift: Int = 0) -> CellGrid {
        var grid = CellGrid(width: width, height: height)
        for row in 0..<height {
            for column in 0..<width {
                grid[column, row] = Cell(Cell.upperHalf, foreground: .indexed(UInt8(16 + (column + shift) % 216)),
                                         background: .indexed(UInt8(232 + row % 24)))
            }
        }
        grid.put("Trowel ● ░▒▓█ │", column: 0, row: 0, bold: true)
        return grid
    }

    @Test func secondDrawSendsOnlyTheChangedCells() throws {
        let terminal = try HeadlessTerminal()
        let (width, height) = terminal.backend.size
        #expect(width > 0 && height > 0)
        var grid = picture(width: width, height: height)
        terminal.backend.draw(grid)
        let first = terminal.outputCount
        let text = terminal.output
        let halfBlocks = text.contains("▀"), otherGlyphs = text.contains("●") && text.contains("░▒▓█") && text.contains("│")
        let mouseOn = text.contains("\u{1B}[?1002h\u{1B}[?1006h")
        let paletteColours = text.contains("38;5;")  // 256-colour foregrounds through alloc_pair'd pairs
        #expect(halfBlocks && otherGlyphs && mouseOn && paletteColours)

        grid[5, 5] = Cell("x", foreground: .indexed(196))
        grid[6, 5] = Cell("y", foreground: .indexed(196))
        terminal.backend.draw(grid)
        let second = terminal.outputCount - first
        #expect(second > 0)
        #expect(second * 50 < first, "second draw wrote \(second) bytes, first \(first)")

        terminal.backend.draw(grid)
        #expect(terminal.outputCount - first - second < 16)  // nothing changed: at most a refresh
    }

    @Test func redrawAllRepaintsEveryCell() throws {
        let terminal = try HeadlessTerminal()
        let (width, height) = terminal.backend.size
        let grid = picture(width: width, height: height)
        terminal.backend.draw(grid)
        let first = terminal.outputCount
        terminal.backend.redrawAll()
        terminal.backend.draw(grid)
        #expect(terminal.outputCount - first > first / 2)
    }

    @Test func directColourTerminalGetsExact24BitColours() throws {
        let terminal = try HeadlessTerminal(term: "xterm-direct")
        #expect(terminal.backend.colorMode == .truecolor)
        var grid = CellGrid(width: 4, height: 1)
        grid[0, 0] = Cell(Cell.upperHalf, foreground: .rgb(RGB(255, 128, 0)), background: .rgb(.black))
        terminal.backend.draw(grid)
        let text = terminal.output
        let exact = text.contains("38:2::255:128:0"), nudgedBlack = text.contains("48:2::0:1:0")
        #expect(exact && nudgedBlack)  // black nudged off the palette range
    }

    @Test func forcedTruecolorWithoutDirectTerminfoUses256Colours() throws {
        let detected = try HeadlessTerminal(term: "xterm-256color", colorTerm: "truecolor")
        #expect(detected.backend.colorMode == .palette256)
        detected.backend.restore()
        let forced = try HeadlessTerminal(term: "xterm-256color", colorMode: .truecolor)
        #expect(forced.backend.colorMode == .palette256)
        var grid = CellGrid(width: 4, height: 1)
        grid[0, 0] = Cell("A", foreground: .rgb(RGB(255, 0, 0)))
        forced.backend.draw(grid)
        let text = forced.output
        let palette = text.contains("38;5;196m"), direct = text.contains("38;2")
        #expect(palette && !direct)
    }

    @Test func sixteenColourTerminalIsDetected() throws {
        let terminal = try HeadlessTerminal(term: "xterm")
        #expect(terminal.backend.colorMode == .ansi16)
        let mono = try HeadlessTerminal(term: "vt100")
        #expect(mono.backend.colorMode == .mono)
    }

    @Test func aFullPairTableStartsOverWithOneRepaint() throws {
        let terminal = try HeadlessTerminal(term: "xterm")  // 8 colours, 64 pairs
        #expect(terminal.backend.colorMode == .ansi16)
        func grid(background: UInt8) -> CellGrid {
            var grid = CellGrid(width: 40, height: 2)
            for column in 0..<8 { grid[column, 0] = Cell("▀", foreground: .indexed(UInt8(column)), background: .indexed(background)) }
            return grid
        }
        for background in 0..<8 { terminal.backend.draw(grid(background: UInt8(background))) }
        #expect(terminal.backend.allocatedPairCount == 8)  // 64 combinations overflowed: started over with one screen
        let before = terminal.outputCount
        var changed = grid(background: 7)
        changed[20, 1] = Cell("x", foreground: .indexed(1))
        terminal.backend.draw(changed)
        #expect(terminal.outputCount - before < 40)  // a small change stays small
    }

    @Test func mouseReportsArriveAsZeroBasedEvents() throws {
        let terminal = try HeadlessTerminal()
        terminal.send("\u{1B}[<0;10;5M\u{1B}[<32;11;5M\u{1B}[<32;12;6M\u{1B}[<0;12;6m\u{1B}[<64;1;1M\u{1B}[<65;1;1M\u{1B}[<22;3;4M")
        #expect(terminal.backend.readEvents() == [
            .mouse(MouseEvent(button: .left, action: .press, column: 9, row: 4)),
            .mouse(MouseEvent(button: .left, action: .drag, column: 10, row: 4)),
            .mouse(MouseEvent(button: .left, action: .drag, column: 11, row: 5)),
            .mouse(MouseEvent(button: .left, action: .release, column: 11, row: 5)),
            .mouse(MouseEvent(button: .wheelUp, action: .press, column: 0, row: 0)),
            .mouse(MouseEvent(button: .wheelDown, action: .press, column: 0, row: 0)),
            .mouse(MouseEvent(button: .right, action: .press, column: 2, row: 3, shift: true, control: true)),
        ])
    }

    @Test func keySequencesAreDecodedByTerminfo() throws {
        let terminal = try HeadlessTerminal()
        // xterm in keypad-transmit mode: arrows are ESC O A…, paging ESC [ 5 ~, F1 ESC O P.
        terminal.send("\u{1B}OA\u{1B}OB\u{1B}OD\u{1B}OC\u{1B}[5~\u{1B}[6~\u{1B}[3~\u{1B}[2~\u{1B}OH\u{1B}OF\u{1B}OP\u{1B}[24~\u{1B}[Z")
        #expect(terminal.backend.readEvents().map { event -> Key? in
            if case .key(let key) = event { return key }
            return nil
        } == [.up, .down, .left, .right, .pageUp, .pageDown, .delete, .insert, .home, .end, .function(1),
              .function(12), .backTab])
    }

    @Test func controlEnterBackspaceAndUTF8Keys() throws {
        let terminal = try HeadlessTerminal()
        terminal.send("\u{12}\r\u{7F}é日q\u{03}")
        #expect(terminal.backend.readEvents() == [
            .key(.control("r")), .key(.enter), .key(.backspace), .key(.character("é")), .key(.character("日")),
            .key(.character("q")), .key(.control("c")),
        ])
        terminal.send("\u{1B}")
        #expect(terminal.backend.readEvents() == [.key(.escape)])
    }

    @Test func restoreIsIdempotentAndTurnsMouseReportingOff() throws {
        let terminal = try HeadlessTerminal()
        terminal.backend.draw(CellGrid(width: 3, height: 1, fill: Cell("#")))
        terminal.backend.restore()
        terminal.backend.restore()
        #expect(terminal.backend.isRestored)
        let mouseOffCount = terminal.output.components(separatedBy: "\u{1B}[?1002l\u{1B}[?1006l").count - 1
        #expect(mouseOffCount == 1)
        let after = terminal.outputCount
        terminal.backend.draw(CellGrid(width: 3, height: 1, fill: Cell("%")))
        #expect(terminal.backend.readEvents().isEmpty)
        #expect(terminal.outputCount == after)
    }

    @Test func unusableTerminalsAreRefusedWithClearErrors() throws {
        var fds: [Int32] = [-1, -1]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]); close(fds[1]) }
        #expect(throws: TerminalError.dumbTerminal("dumb")) {
            _ = try CursesBackend(terminalType: "dumb", input: fds[0], output: fds[1])
        }
        #expect(throws: TerminalError.noTerminalType) {
            _ = try CursesBackend(terminalType: nil, input: fds[0], output: fds[1])
        }
        #expect(throws: TerminalError.unknownTerminalType("no-such-terminal-9000")) {
            _ = try CursesBackend(terminalType: "no-such-terminal-9000", input: fds[0], output: fds[1])
        }
        #expect(throws: TerminalError.notATerminal(stream: "input")) {
            _ = try CursesBackend(input: fds[0], output: fds[1])
        }
    }

    @Test func runLoopRendersOnceForABurstOfInput() throws {
        let terminal = try HeadlessTerminal()
        let loop = try RunLoop(backend: terminal.backend, tickInterval: .milliseconds(100))
        terminal.send(String(repeating: "\u{1B}[<32;5;5M", count: 20))
        var mouseEvents = 0, renders = 0
        let exit = try loop.run(handle: { event in
            if case .input(.mouse) = event { mouseEvents += 1 }
            return event == .tick ? .quit : .continue
        }, render: { size in
            renders += 1
            return CellGrid(width: size.width, height: size.height)
        })
        #expect(exit == .quit)
        #expect(mouseEvents == 20)
        #expect(renders == 2)  // the first frame, then one for the whole burst
        #expect(terminal.backend.isRestored)
    }

    @Test func wakerDeliversWakeFromAnotherThread() throws {
        let terminal = try HeadlessTerminal()
        let loop = try RunLoop(backend: terminal.backend, tickInterval: .seconds(10))
        let waker = loop.waker
        let thread = Thread { waker.wake(); waker.wake(); waker.wake() }
        var events: [LoopEvent] = []
        try loop.run(handle: { event in
            events.append(event)
            return event == .wake ? .quit : .continue
        }, render: { size in
            thread.start()
            return CellGrid(width: size.width, height: size.height)
        })
        #expect(events == [.wake])
    }

    @Test func terminatingSignalIsDeliveredThenTheTerminalIsRestored() throws {
        func handler(_ signal: Int32) -> Int {
            var action = sigaction()
            sigaction(signal, nil, &action)
            return unsafeBitCast(action.__sigaction_handler.sa_handler, to: Int.self)
        }
        let before = handler(SIGTERM)
        let terminal = try HeadlessTerminal(trapSignals: true)
        try #require(handler(SIGTERM) != before)  // never send SIGTERM without the trap in place
        var loop = try RunLoop(backend: terminal.backend, tickInterval: .seconds(10))
        loop.exitsOnSignal = false
        var events: [LoopEvent] = []
        let exit = try loop.run(handle: { event in
            events.append(event)
            return .continue
        }, render: { size in
            // Process-directed, as kill(1) sends it (test threads block signals, so raise() would not
            // arrive); the trap turns it into a byte on the self-pipe.
            if events.isEmpty { kill(getpid(), SIGTERM) }
            return CellGrid(width: size.width, height: size.height)
        })
        #expect(exit == .signal(SIGTERM))
        #expect(events == [.signal(SIGTERM)])
        #expect(terminal.backend.isRestored)
        #expect(handler(SIGTERM) == before)  // the previous disposition is back
    }
}
