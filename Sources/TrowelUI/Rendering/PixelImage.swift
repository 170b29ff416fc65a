import Foundation
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

    /// The rectangle of `width` × `height` pixels at (`x`, `y`).
    public func cropped(x: Int, y: Int, width w: Int, height h: Int) -> PixelImage {
        var out = PixelImage(width: w, height: h)
        for r in 0..<h {
            out.pixels.replaceSubrange((r * w)..<((r + 1) * w), with: pixels[((y + r) * width + x)..<((y + r) * width + x + w)])
        }
        return out
    }

    /// The smallest rectangle (x, y, width, height) holding every pixel where `self` and `other`
    /// (of the same size) differ; nil when they are equal.
    public func changedRectangle(from other: PixelImage) -> (x: Int, y: Int, width: Int, height: Int)? {
        precondition(width == other.width && height == other.height, "changedRectangle: sizes differ")
        var top = -1, bottom = -1, left = width, right = -1
        pixels.withUnsafeBufferPointer { a in
            other.pixels.withUnsafeBufferPointer { b in
                for y in 0..<height {
                    let row = y * width
                    guard memcmp(a.baseAddress! + row, b.baseAddress! + row, width * MemoryLayout<RGB>.stride) != 0 else { continue }
                    if top < 0 { top = y }
                    bottom = y
                    var x = 0
                    while x < left && a[row + x] == b[row + x] { x += 1 }
                    left = min(left, x)
                    x = width - 1
                    while x > right && a[row + x] == b[row + x] { x -= 1 }
                    right = max(right, x)
                }
            }
        }
        guard top >= 0 else { return nil }
        return (left, top, right - left + 1, bottom - top + 1)
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
