extension PaneImage {
    /// The pixels of one terminal cell, when the image covers its cells exactly (sixel draws
    /// pixels 1:1, so only then does a cell of the image sit on a cell of the screen).
    public var cellPixels: (width: Int, height: Int)? {
        guard columns > 0, rows > 0, image.width % columns == 0, image.height % rows == 0 else { return nil }
        return (image.width / columns, image.height / rows)
    }

    /// The rectangle of whole cells (relative to the pane's top-left cell) holding every pixel
    /// that differs from `old`, when both cover the same cells with the same size in whole
    /// cells; nil when they do not, or nothing changed.
    ///
    /// What a terminal that places images only at a cell (sixel) needs to redraw a moved cursor
    /// or a dab of paint: an image of just those cells, written at the first of them.
    public func changedCells(from old: PaneImage) -> (column: Int, row: Int, columns: Int, rows: Int)? {
        guard old.column == column, old.row == row, old.columns == columns, old.rows == rows,
              old.image.width == image.width, old.image.height == image.height, let cell = cellPixels,
              let r = image.changedRectangle(from: old.image) else { return nil }
        let c0 = r.x / cell.width, c1 = (r.x + r.width + cell.width - 1) / cell.width
        let r0 = r.y / cell.height, r1 = (r.y + r.height + cell.height - 1) / cell.height
        return (c0, r0, c1 - c0, r1 - r0)
    }
}
