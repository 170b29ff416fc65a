/// One slice pane as an image for a pixel-drawing terminal: the pixels, and the rectangle of cells
/// they must cover exactly.
public struct PaneImage: Equatable, Sendable {
    /// Which pane (the slice offset it shows; 0 is the main slice), so each keeps its own image id.
    public var pane: Int
    /// The top-left cell of the rectangle.
    public var column: Int
    public var row: Int
    /// The rectangle's size in cells.
    public var columns: Int
    public var rows: Int
    public var image: PixelImage

    public init(pane: Int, column: Int, row: Int, columns: Int, rows: Int, image: PixelImage) {
        self.pane = pane
        self.column = column
        self.row = row
        self.columns = columns
        self.rows = rows
        self.image = image
    }
}
