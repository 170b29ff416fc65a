import TrowelUI

/// How this session draws the slice panes, decided once before curses starts: the protocol, the
/// terminal's cell size in pixels, the sixel palette size, tmux passthrough, and a line for the
/// status bar when the choice needs explaining.
public struct GraphicsSetup: Sendable {
    public var graphics: GraphicsProtocol
    public var cellSize: (width: Int, height: Int)
    /// Colour registers for sixel frames.
    public var sixelRegisters: Int
    /// Wrap image escapes in tmux's DCS passthrough (`allow-passthrough on`).
    public var tmuxPassthrough: Bool
    /// Said once in the status line (why half-blocks, or a hint), nil when nothing needs saying.
    public var note: String?

    public init(graphics: GraphicsProtocol, cellSize: (width: Int, height: Int) = (10, 20), sixelRegisters: Int = 256,
                tmuxPassthrough: Bool = false, note: String? = nil) {
        self.graphics = graphics
        self.cellSize = cellSize
        self.sixelRegisters = sixelRegisters
        self.tmuxPassthrough = tmuxPassthrough
        self.note = note
    }

    /// Half-block cells, nothing to explain.
    public static let cells = GraphicsSetup(graphics: .cells)
}

/// What tmux says about the session Trowel runs in (nil outside tmux).
public struct TmuxInfo: Equatable, Sendable {
    /// `allow-passthrough` is `on` or `all`.
    public var passthrough: Bool
    /// The outer terminal's type (`#{client_termname}`), e.g. `xterm-kitty`.
    public var clientTerminal: String?

    public init(passthrough: Bool, clientTerminal: String?) {
        self.passthrough = passthrough
        self.clientTerminal = clientTerminal
    }
}
