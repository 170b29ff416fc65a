import CNcursesw
import TrowelUI
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The full-screen terminal through ncursesw: draws `CellGrid`s by sending only changed cells,
/// decodes keys and SGR mouse reports, and always puts the terminal back (`restore()`).
///
/// Owned by one thread (ncurses is not thread-safe) and one instance at a time per process.
public final class CursesBackend {
    /// The colour mode screens should be rendered for: the requested or detected mode, lowered to
    /// what the terminfo entry can show (truecolor needs a `*-direct` entry; otherwise 256 colours).
    public private(set) var colorMode: ColorMode

    /// The terminal type ncurses was started with.
    public let terminalType: String

    /// Descriptor the run loop polls for input.
    let inputDescriptor: Int32
    let outputDescriptor: Int32
    /// Catches SIGTERM/SIGHUP/SIGINT when the backend owns a real terminal; nil in headless tests.
    let signals: SignalTrap?

    private let screen: OpaquePointer
    private let inputFile: UnsafeMutablePointer<FILE>
    private let outputFile: UnsafeMutablePointer<FILE>
    private let colorNumbers: ColorNumbers
    private let colorsEnabled: Bool
    private var pairs: [PairKey: Int32] = [:]
    private var lastDrawn: CellGrid?
    private var mouseReporting = false
    private var restored = false
    private var decoder = InputDecoder()
    /// The slice panes as pixels, when the terminal draws images (`useGraphics`).
    private var imageLayer: ImageLayer?

    private struct PairKey: Hashable {
        var foreground: Int32
        var background: Int32
    }

    /// Mouse modes Trowel turns on itself: button-event tracking (1002, drags) with SGR coordinates (1006).
    static let mouseOn = "\u{1B}[?1002h\u{1B}[?1006h"
    static let mouseOff = "\u{1B}[?1002l\u{1B}[?1006l"
    /// How long a lone Esc waits for the rest of a key sequence (ncurses' default is 1 s).
    static let escapeDelayMilliseconds: Int32 = 25

    /// Starts full-screen mode on the terminal behind `input`/`output`; throws when they are not a
    /// TTY or TERM is unset, `dumb` or unknown. `colorMode` forces a mode instead of detecting it.
    public convenience init(colorMode: ColorMode? = nil, input: Int32 = STDIN_FILENO,
                            output: Int32 = STDOUT_FILENO) throws(TerminalError) {
        guard isatty(input) == 1 else { throw .notATerminal(stream: input == STDIN_FILENO ? "stdin" : "input") }
        guard isatty(output) == 1 else { throw .notATerminal(stream: output == STDOUT_FILENO ? "stdout" : "output") }
        let colorTerm = Self.environment("COLORTERM")
        let type = DirectColorTerminal.terminalType(term: Self.environment("TERM"), colorTerm: colorTerm, forced: colorMode)
        try self.init(terminalType: type, input: input, output: output, colorMode: colorMode, colorTerm: colorTerm,
                      trapSignals: true)
    }

    /// Starts ncurses on any descriptors — plain files and pipes included — without the TTY check:
    /// the headless form tests use. `trapSignals` installs the SIGTERM/SIGHUP/SIGINT self-pipe.
    init(terminalType: String?, input: Int32, output: Int32, colorMode requested: ColorMode? = nil,
         colorTerm: String? = nil, trapSignals: Bool = false) throws(TerminalError) {
        guard let term = terminalType, !term.isEmpty else { throw .noTerminalType }
        guard term != "dumb" else { throw .dumbTerminal(term) }
        setlocale(LC_ALL, "")

        var modes = termios()
        let hasModes = tcgetattr(input, &modes) == 0
        let trap = trapSignals ? try SignalTrap() : nil
        let inputCopy = dup(input), outputCopy = dup(output)
        guard inputCopy >= 0, outputCopy >= 0,
              let inFile = trowel_fdopen(inputCopy, "r"), let outFile = trowel_fdopen(outputCopy, "w") else {
            trap?.uninstall()
            throw .cursesFailed("cannot open the terminal descriptors (errno \(errno))")
        }
        guard let screen = newterm(term, outFile, inFile) else {
            fclose(inFile)
            fclose(outFile)
            trap?.uninstall()
            throw .unknownTerminalType(term)
        }
        self.screen = screen
        self.inputFile = inFile
        self.outputFile = outFile
        self.terminalType = term
        self.inputDescriptor = input
        self.outputDescriptor = output
        self.signals = trap
        if hasModes { trap?.restoreOnCrash(terminal: output, modes: modes) }

        set_term(screen)
        raw()  // Ctrl-C and Ctrl-Z arrive as keys, not signals.
        noecho()
        nonl()
        keypad(trowel_stdscr(), true)
        wtimeout(trowel_stdscr(), 0)
        set_escdelay(Self.escapeDelayMilliseconds)
        curs_set(0)
        // Mouse reports are decoded by InputDecoder, so ncurses must not swallow them as KEY_MOUSE.
        mousemask(0, nil)
        _ = define_key("\u{1B}[<", 0)
        _ = define_key("\u{1B}[M", 0)

        colorsEnabled = has_colors()
        if colorsEnabled {
            start_color()
            use_default_colors()
        }
        colorNumbers = ColorNumbers(colors: colorsEnabled ? Int(trowel_colors()) : 0)
        let wanted = requested ?? ColorMode.detect(term: term, colorTerm: colorTerm, colors: colorNumbers.colors)
        colorMode = colorNumbers.effectiveMode(wanted)
    }

    deinit { restore() }

    /// A backend that writes to `output` (a file or pipe) with no terminal attached, sized by
    /// $COLUMNS and $LINES: for measuring what screens cost in bytes, e.g. over an SSH link.
    public static func offscreen(terminalType: String, output: Int32, colorMode: ColorMode? = nil) throws(TerminalError) -> CursesBackend {
        let input = open("/dev/null", O_RDONLY)
        defer { if input >= 0 { close(input) } }
        return try CursesBackend(terminalType: terminalType, input: input, output: output, colorMode: colorMode)
    }

    /// The terminal's size in cells.
    public var size: (width: Int, height: Int) { (Int(trowel_cols()), Int(trowel_lines())) }

    /// Draws the slice panes as images from now on (after each `draw`), per `setup`.
    public func useGraphics(_ setup: GraphicsSetup) {
        if let old = imageLayer, !restored { writeToTerminal(old.removeAll()) }
        imageLayer = setup.graphics.drawsPixels ? ImageLayer(setup: setup) : nil
    }

    /// Image bytes written by the last `draw` (0 in half-block mode or when no pane changed).
    public var lastImageBytes: Int { imageLayer?.lastBytes ?? 0 }

    /// Why the last pane image could not be encoded, if so.
    public var imageFailure: String? { imageLayer?.lastFailure }

    /// Draws `grid`, then `images` over it (only those that changed, or whose cells curses rewrote).
    public func draw(_ grid: CellGrid, images: [PaneImage]) {
        guard !restored else { return }
        let runs = draw(grid)
        guard let layer = imageLayer else { return }
        layer.draw(images, touched: runs) { writeToTerminal($0) }
    }

    /// Draws `grid`, sending only the runs of cells that changed since the last draw, then refreshes
    /// once; returns the runs it sent.
    @discardableResult
    public func draw(_ grid: CellGrid) -> [CellGrid.Run] {
        guard !restored else { return [] }
        let window = trowel_stdscr()
        var runs = grid.changes(from: lastDrawn)
        if colorsEnabled && !fitsPairTable(runs) && fitsPairTable(grid.changes(from: nil), startingOver: true) {
            // alloc_pair would recycle pairs still on screen and recolour those cells: start the
            // table over and repaint everything. (When even one screen needs more pairs than the
            // terminal has, as on 8-colour terminals with 64 pairs, recycling is the best there is.)
            reset_color_pairs()
            pairs = [:]
            redrawAll()
            runs = grid.changes(from: nil)
        }
        if lastDrawn == nil { werase(window) }
        let (width, height) = size
        var cell = cchar_t()
        var text = [wchar_t](repeating: 0, count: 6)
        for run in runs where run.row < height {
            for (offset, value) in run.cells.enumerated() {
                let column = run.column + offset
                if column >= width { break }
                fill(&text, with: value.glyph)
                let attributes = value.bold ? trowel_attr_bold() : trowel_attr_normal()
                _ = trowel_setcchar(&cell, text, attributes, pair(for: value, column: column, row: run.row))
                _ = mvwadd_wch(window, Int32(run.row), Int32(column), &cell)
            }
        }
        wnoutrefresh(window)
        doupdate()
        lastDrawn = grid
        if !mouseReporting {
            // After the first refresh, so the sequence is not lost in ncurses' initialisation output.
            writeToTerminal(Self.mouseOn)
            mouseReporting = true
        }
        return runs
    }

    /// Forgets what is on screen so the next `draw` repaints every cell (Ctrl-L, resize).
    public func redrawAll() {
        guard !restored else { return }
        lastDrawn = nil
        clearok(trowel_stdscr(), true)
        imageLayer?.invalidate()
    }

    /// Reads all input that is waiting, without blocking, as keys, mouse events and resizes.
    /// A started escape sequence gets a short grace period for its remaining bytes.
    public func readEvents() -> [InputEvent] {
        guard !restored else { return [] }
        var events: [InputEvent] = []
        while true {
            var next = nextInput()
            if next == nil, decoder.isMidSequence {
                wtimeout(trowel_stdscr(), Self.escapeDelayMilliseconds * 2)
                next = nextInput()
                wtimeout(trowel_stdscr(), 0)
            }
            guard let input = next else {
                events += decoder.flush()
                return events
            }
            if input == .keyCode(trowel_key_resize()) {
                events += decoder.flush()
                redrawAll()
                let (width, height) = size
                events.append(.resize(width: width, height: height))
            } else {
                events += decoder.feed(input)
            }
        }
    }

    /// Puts the terminal back as it was: mouse reporting off, cursor shown, `endwin`. Idempotent;
    /// called on quit, on errors and after signals.
    public func restore() {
        guard !restored else { return }
        restored = true
        if let layer = imageLayer { writeToTerminal(layer.removeAll()) }
        if mouseReporting {
            writeToTerminal(Self.mouseOff)
            mouseReporting = false
        }
        curs_set(1)
        endwin()
        delscreen(screen)
        fclose(inputFile)
        fclose(outputFile)
        signals?.uninstall()
    }

    /// True once `restore()` ran.
    public var isRestored: Bool { restored }

    // MARK: - Internals

    private func nextInput() -> RawInput? {
        var character: wint_t = 0
        let result = wget_wch(trowel_stdscr(), &character)
        if result == trowel_key_code_yes() { return .keyCode(Int32(character)) }
        if result == OK, let scalar = Unicode.Scalar(UInt32(character)) { return .character(scalar) }
        return nil
    }

    /// Colour pairs allocated since the table was last started over.
    var allocatedPairCount: Int { pairs.count }

    private func pairKey(for cell: Cell, column: Int, row: Int) -> PairKey {
        PairKey(foreground: colorNumbers.number(for: cell.foreground, column: column, row: row),
                background: colorNumbers.number(for: cell.background, column: column, row: row))
    }

    /// True when drawing `runs` needs no more pairs than the terminal has (pair 0 is the default).
    private func fitsPairTable(_ runs: [CellGrid.Run], startingOver: Bool = false) -> Bool {
        let known = startingOver ? [:] : pairs
        let limit = Int(trowel_color_pairs()) - 1
        var fresh = Set<PairKey>()
        for run in runs {
            for (offset, cell) in run.cells.enumerated() {
                let key = pairKey(for: cell, column: run.column + offset, row: run.row)
                if key.foreground == -1 && key.background == -1 || known[key] != nil { continue }
                fresh.insert(key)
                if known.count + fresh.count > limit { return false }
            }
        }
        return true
    }

    /// The colour pair for a cell, allocated on first use (`alloc_pair` keeps its own cache too).
    private func pair(for cell: Cell, column: Int, row: Int) -> Int32 {
        guard colorsEnabled else { return 0 }
        let key = pairKey(for: cell, column: column, row: row)
        if key.foreground == -1 && key.background == -1 { return 0 }
        if let pair = pairs[key] { return pair }
        let pair = max(0, alloc_pair(key.foreground, key.background))
        pairs[key] = pair
        return pair
    }

    /// The glyph as a NUL-terminated wide string: one spacing character plus up to four combining
    /// marks; control characters become spaces so they cannot move the cursor.
    private func fill(_ text: inout [wchar_t], with glyph: Character) {
        var count = 0
        for scalar in glyph.unicodeScalars where count < 5 {
            let value = scalar.value < 32 || (127..<160).contains(scalar.value) ? 32 : scalar.value
            text[count] = wchar_t(bitPattern: value)
            count += 1
        }
        if count == 0 {
            text[0] = 32
            count = 1
        }
        text[count] = 0
    }

    private func writeToTerminal(_ string: String) { writeToTerminal(Array(string.utf8)) }

    private func writeToTerminal(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = write(outputDescriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if n <= 0 { break }
                offset += n
            }
        }
    }

    private static func environment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }
}
