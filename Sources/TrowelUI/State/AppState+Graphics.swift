extension AppState {
    /// Switches the slice panes to `graphics` with cells of `cellPixels` pixels: the viewport is
    /// resized to the panes' real pixel size, so a fitted slice is shown pixel for pixel.
    public mutating func useGraphics(_ graphics: GraphicsProtocol, cellPixels: (width: Int, height: Int)) {
        self.graphics = graphics
        self.cellPixels = graphics.drawsPixels ? (max(1, cellPixels.width), max(1, cellPixels.height)) : (1, 2)
        let size = layout.paneSize
        viewport.resize(width: size.width, height: size.height)
        viewport.fit()
    }

    /// True when the panes are drawn as images now: pixels are on and no overlay covers the panes
    /// (help and lists are text over half-blocks, which curses can draw over).
    public var panesArePixels: Bool {
        guard graphics.drawsPixels, !layout.isTooSmall else { return false }
        switch overlay {
        case nil, .prompt?: return true
        default: return false
        }
    }

    /// How many screen pixels the cursor cross and frames are drawn with per half-block pixel.
    var markScale: Int { graphics.drawsPixels ? max(1, cellPixels.width / 3) : 1 }
}
