/// How many colours the terminal can show; decides how pixels become cells.
public enum ColorMode: String, CaseIterable, Sendable {
    /// 24-bit colour (COLORTERM=truecolor, xterm-direct).
    case truecolor
    /// xterm's 256 colours: greys dithered over the 24-step grey ramp, colours on the 6×6×6 cube.
    case palette256 = "256"
    /// The 16 ANSI colours.
    case ansi16 = "16"
    /// No colour: brightness as shade glyphs (░▒▓█).
    case mono

    /// Picks a mode from the environment the way terminals advertise it.
    public static func detect(term: String?, colorTerm: String?, colors: Int) -> ColorMode {
        let ct = (colorTerm ?? "").lowercased()
        if ct == "truecolor" || ct == "24bit" || (term ?? "").hasSuffix("-direct") || colors >= 1 << 24 { return .truecolor }
        if colors >= 256 { return .palette256 }
        if colors >= 8 { return .ansi16 }
        return .mono
    }
}

/// A colour as the terminal is told it: direct RGB, a palette index, or the terminal's default.
public enum TerminalColor: Hashable, Sendable {
    case rgb(RGB)
    case indexed(UInt8)
    case terminalDefault
}
