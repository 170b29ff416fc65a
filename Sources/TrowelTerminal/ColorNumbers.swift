import TrowelUI

/// Turns `TerminalColor`s into the colour numbers curses takes for a terminal's capability.
///
/// Direct-colour terminfo (`xterm-direct`, `tmux-direct`): a number is 0xRRGGBB, but values below 8
/// mean the ANSI palette, so near-black blues are nudged by one green step (invisible) to stay RGB, and
/// palette indices 8…255 are sent as their xterm RGB. Palette terminals: indices pass through and any
/// `.rgb` (the user forced truecolor on e.g. xterm-256color) falls back to the nearest palette colour,
/// because ncurses cannot send 24-bit colour through a terminfo entry without it.
public struct ColorNumbers: Sendable, Equatable {
    /// Colours the terminal has (terminfo `colors`; 16777216 on direct-colour entries).
    public var colors: Int

    public init(colors: Int) { self.colors = colors }

    /// True when colour numbers are 0xRRGGBB.
    public var isDirect: Bool { colors >= 1 << 24 }

    /// The best mode this terminal can show: `requested` lowered to what the terminfo entry supports.
    public func effectiveMode(_ requested: ColorMode) -> ColorMode {
        let capability: ColorMode = isDirect ? .truecolor : colors >= 256 ? .palette256 : colors >= 8 ? .ansi16 : .mono
        let order: [ColorMode] = [.mono, .ansi16, .palette256, .truecolor]
        return order[min(order.firstIndex(of: requested)!, order.firstIndex(of: capability)!)]
    }

    /// The curses colour number for `color` at screen cell (`column`, `row`) (the cell matters only
    /// for the dithered RGB fallback); -1 is the terminal's default colour.
    public func number(for color: TerminalColor, column: Int = 0, row: Int = 0) -> Int32 {
        switch color {
        case .terminalDefault:
            return -1
        case .indexed(let index):
            if isDirect { return index < 8 ? Int32(index) : Self.direct(Self.xtermRGB(index)) }
            if Int(index) < colors { return Int32(index) }
            return number(for: .rgb(Self.xtermRGB(index)), column: column, row: row)
        case .rgb(let rgb):
            if isDirect { return Self.direct(rgb) }
            if colors < 8 { return -1 }
            let fallback = Palette.color(rgb, mode: colors >= 256 ? .palette256 : .ansi16, x: column, y: row)
            if case .indexed(let index) = fallback, Int(index) < colors { return Int32(index) }
            return -1
        }
    }

    /// 0xRRGGBB, kept ≥ 8 so the terminal does not read it as an ANSI palette index.
    static func direct(_ c: RGB) -> Int32 {
        let value = Int32(c.r) << 16 | Int32(c.g) << 8 | Int32(c.b)
        return value < 8 ? value | 0x100 : value
    }

    /// The RGB xterm shows for palette `index`: 16 ANSI colours, the 6×6×6 cube, the grey ramp.
    public static func xtermRGB(_ index: UInt8) -> RGB {
        let ansi: [RGB] = [
            RGB(0, 0, 0), RGB(205, 0, 0), RGB(0, 205, 0), RGB(205, 205, 0), RGB(0, 0, 238), RGB(205, 0, 205),
            RGB(0, 205, 205), RGB(229, 229, 229), RGB(127, 127, 127), RGB(255, 0, 0), RGB(0, 255, 0),
            RGB(255, 255, 0), RGB(92, 92, 255), RGB(255, 0, 255), RGB(0, 255, 255), RGB(255, 255, 255),
        ]
        switch index {
        case 0..<16:
            return ansi[Int(index)]
        case 16..<232:
            let levels: [UInt8] = [0, 95, 135, 175, 215, 255]
            let i = Int(index) - 16
            return RGB(levels[i / 36], levels[(i / 6) % 6], levels[i % 6])
        default:
            return RGB(grey: UInt8(8 + 10 * (Int(index) - 232)))
        }
    }
}
