/// A small RGB image in row-major order: what a slice becomes after window/level and overlays,
/// before it is packed into half-block cells.
public struct PixelImage: Equatable, Sendable {
    public let width: Int
    public let height: Int
    public var pixels: [RGB]
    /// Optional class id per pixel (0 = none): monochrome terminals show it as a digit, since they
    /// cannot show a coloured overlay.
    public var marks: [UInt8]?

    public init(width: Int, height: Int, fill: RGB = .black) {
        self.width = width
        self.height = height
        pixels = Array(repeating: fill, count: width * height)
    }

    public subscript(x: Int, y: Int) -> RGB {
        get { pixels[y * width + x] }
        set { pixels[y * width + x] = newValue }
    }

    /// Draws the image into `grid` at (`column`, `row`): two pixel rows per cell row, `▀` with the
    /// upper pixel as foreground and the lower as background; shade glyphs in `.mono`.
    public func draw(into grid: inout CellGrid, column: Int, row: Int, mode: ColorMode) {
        let rows = (height + 1) / 2
        for cy in 0..<rows {
            for cx in 0..<width {
                let upper = self[cx, 2 * cy]
                let lower = 2 * cy + 1 < height ? self[cx, 2 * cy + 1] : upper
                let cell: Cell
                if mode == .mono {
                    let mark = marks.map { m in max(m[2 * cy * width + cx], 2 * cy + 1 < height ? m[(2 * cy + 1) * width + cx] : 0) } ?? 0
                    if mark != 0 {
                        cell = Cell(mark < 10 ? Character(String(mark)) : "#", bold: true)
                    } else {
                        cell = Cell(Palette.shade((upper.luminance + lower.luminance) / 2, x: cx, y: cy))
                    }
                } else {
                    cell = Cell(Cell.upperHalf, foreground: Palette.color(upper, mode: mode, x: cx, y: 2 * cy),
                                background: Palette.color(lower, mode: mode, x: cx, y: 2 * cy + 1))
                }
                grid[column + cx, row + cy] = cell
            }
        }
    }
}
