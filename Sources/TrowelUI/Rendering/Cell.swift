/// One character cell of the screen: a glyph with foreground and background colours.
public struct Cell: Hashable, Sendable {
    public var glyph: Character
    public var foreground: TerminalColor
    public var background: TerminalColor
    public var bold: Bool

    public init(_ glyph: Character = " ", foreground: TerminalColor = .terminalDefault,
                background: TerminalColor = .terminalDefault, bold: Bool = false) {
        self.glyph = glyph
        self.foreground = foreground
        self.background = background
        self.bold = bold
    }

    public static let blank = Cell()

    /// The upper-half block: foreground paints the upper pixel, background the lower.
    public static let upperHalf: Character = "▀"
}
