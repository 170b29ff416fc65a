/// Draws interface text into a grid with theme colours quantised for the terminal's colour mode.
struct Painter {
    let mode: ColorMode
    let theme: Theme

    func color(_ c: RGB) -> TerminalColor { Palette.solid(c, mode: mode) }

    /// Fills a rectangle of cells with a background colour.
    func fill(_ grid: inout CellGrid, columns: Range<Int>, rows: Range<Int>, background: RGB) {
        let bg = color(background)
        for r in rows {
            for c in columns { grid[c, r] = Cell(" ", background: bg) }
        }
    }

    /// Writes `text` clipped to `width` cells.
    @discardableResult
    func text(_ grid: inout CellGrid, _ text: String, column: Int, row: Int, width: Int? = nil, foreground: RGB? = nil,
              background: RGB? = nil, bold: Bool = false) -> Int {
        let clipped = width.map { String(text.prefix(max(0, $0))) } ?? text
        return grid.put(clipped, column: column, row: row, foreground: color(foreground ?? theme.text),
                        background: color(background ?? theme.panel), bold: bold)
    }
}
