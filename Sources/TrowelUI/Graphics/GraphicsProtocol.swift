/// How the slice panes reach the screen: as real pixels through one of three image protocols, or
/// as half-block cells (every terminal).
public enum GraphicsProtocol: String, CaseIterable, Sendable, Codable {
    /// kitty's graphics protocol (kitty, Ghostty, WezTerm): zlib-compressed RGB in APC escapes.
    case kitty
    /// DEC sixel (xterm -ti vt340, foot, WezTerm, Konsole, Windows Terminal, mlterm).
    case sixel
    /// iTerm2's inline images (OSC 1337 File=…, PNG; also WezTerm).
    case iterm
    /// Half-block cells, no pixels.
    case cells

    /// True for the protocols that draw pixels.
    public var drawsPixels: Bool { self != .cells }
}

/// What the user asked for with `--graphics` or the config key `graphics`: a protocol, or `auto`
/// (detect).
public enum GraphicsRequest: Equatable, Sendable {
    case auto
    case forced(GraphicsProtocol)

    /// Parses `auto`, `kitty`, `sixel`, `iterm` or `cells`; nil for anything else.
    public init?(_ text: String) {
        if text == "auto" {
            self = .auto
        } else if let p = GraphicsProtocol(rawValue: text) {
            self = .forced(p)
        } else {
            return nil
        }
    }

    public static let choices = "auto, kitty, sixel, iterm or cells"
}
