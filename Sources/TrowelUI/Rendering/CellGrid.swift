/// The screen as a value: `view(state)` draws into a grid, the backend sends only what changed.
public struct CellGrid: Equatable, Sendable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int, fill: Cell = .blank) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: fill, count: self.width * self.height)
    }

    public subscript(column: Int, row: Int) -> Cell {
        get { cells[row * width + column] }
        set {
            guard column >= 0, column < width, row >= 0, row < height else { return }
            cells[row * width + column] = newValue
        }
    }

    /// Writes `text` from (`column`, `row`), clipped at the right edge; returns the column after it.
    @discardableResult
    public mutating func put(_ text: String, column: Int, row: Int, foreground: TerminalColor = .terminalDefault,
                             background: TerminalColor = .terminalDefault, bold: Bool = false) -> Int {
        var c = column
        for ch in text {
            if c >= width { break }
            self[c, row] = Cell(ch, foreground: foreground, background: background, bold: bold)
            c += 1
        }
        return c
    }

    /// The glyphs only, one line per row, trailing spaces trimmed: what snapshot tests compare.
    public var text: String {
        (0..<height).map { row in
            var line = String(cells[(row * width)..<((row + 1) * width)].map(\.glyph))
            while line.last == " " { line.removeLast() }
            return line
        }.joined(separator: "\n")
    }

    /// A run of changed cells on one row, to be written with one cursor move.
    public struct Run: Equatable, Sendable {
        public var row: Int
        public var column: Int
        public var cells: [Cell]
    }

    /// The runs of cells that differ from `previous` (everything when the sizes differ).
    public func changes(from previous: CellGrid?) -> [Run] {
        var runs: [Run] = []
        let same = previous.map { $0.width == width && $0.height == height } ?? false
        for row in 0..<height {
            var column = 0
            while column < width {
                let i = row * width + column
                if same && previous!.cells[i] == cells[i] {
                    column += 1
                    continue
                }
                var end = column + 1
                while end < width && !(same && previous!.cells[row * width + end] == cells[row * width + end]) { end += 1 }
                runs.append(Run(row: row, column: column, cells: Array(cells[i..<(row * width + end)])))
                column = end
            }
        }
        return runs
    }
}
