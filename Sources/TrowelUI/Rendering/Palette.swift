/// Maps 24-bit colours onto what a terminal of each `ColorMode` can show.
///
/// Greys dominate CT slices, so they get ordered (Bayer 4×4) dithering between the nearest two grey
/// levels the palette has — 26 levels in 256-colour mode, 4 in 16-colour mode, 5 shade glyphs in
/// mono — which keeps gradients readable instead of banded. Saturated colours use the nearest entry.
public enum Palette {
    /// Bayer 4×4 thresholds in (0, 1).
    static let bayer: [Double] = [0, 8, 2, 10, 12, 4, 14, 6, 3, 11, 1, 9, 15, 7, 13, 5].map { ($0 + 0.5) / 16 }

    @inline(__always)
    static func threshold(x: Int, y: Int) -> Double { bayer[(y & 3) * 4 + (x & 3)] }

    /// xterm-256 greys: 16 (black), the ramp 232…255 (8, 18, …, 238) and 231 (white), by level.
    static let greys256: [(level: Double, index: UInt8)] =
        [(0, 16)] + (0..<24).map { (Double(8 + 10 * $0), UInt8(232 + $0)) } + [(255, 231)]

    /// The greys of the 16-colour palette: black, bright black, white (light grey), bright white.
    static let greys16: [(level: Double, index: UInt8)] = [(0, 0), (128, 8), (192, 7), (255, 15)]

    /// The 16 ANSI colours as xterm draws them.
    static let ansi16: [RGB] = [
        RGB(0, 0, 0), RGB(205, 0, 0), RGB(0, 205, 0), RGB(205, 205, 0), RGB(0, 0, 238), RGB(205, 0, 205),
        RGB(0, 205, 205), RGB(229, 229, 229), RGB(127, 127, 127), RGB(255, 0, 0), RGB(0, 255, 0),
        RGB(255, 255, 0), RGB(92, 92, 255), RGB(255, 0, 255), RGB(0, 255, 255), RGB(255, 255, 255),
    ]

    static let cubeLevels: [Double] = [0, 95, 135, 175, 215, 255]

    /// Shade glyphs from dark to light, for monochrome terminals.
    public static let shades: [Character] = [" ", "░", "▒", "▓", "█"]

    /// True when the colour is close enough to grey to be dithered on the grey ramp.
    @inline(__always)
    static func isGreyish(_ c: RGB) -> Bool {
        let hi = max(c.r, c.g, c.b), lo = min(c.r, c.g, c.b)
        return hi - lo <= 16
    }

    /// Position `v` between the two neighbouring `levels`, dithered by the pixel's threshold.
    static func dither(_ v: Double, levels: [(level: Double, index: UInt8)], threshold: Double) -> UInt8 {
        var i = 0
        while i + 1 < levels.count && levels[i + 1].level <= v { i += 1 }
        if i + 1 == levels.count { return levels[i].index }
        let lo = levels[i], hi = levels[i + 1]
        let t = (v - lo.level) / (hi.level - lo.level)
        return t > threshold ? hi.index : lo.index
    }

    /// The terminal colour for pixel (`x`, `y`) of colour `c` in `mode` (not for `.mono`).
    public static func color(_ c: RGB, mode: ColorMode, x: Int, y: Int) -> TerminalColor {
        color(c, mode: mode, threshold: threshold(x: x, y: y))
    }

    static func color(_ c: RGB, mode: ColorMode, threshold: Double) -> TerminalColor {
        switch mode {
        case .truecolor, .mono:
            return .rgb(c)
        case .palette256:
            if isGreyish(c) { return .indexed(dither(c.luminance, levels: greys256, threshold: threshold)) }
            func level(_ v: UInt8) -> Int {
                cubeLevels.indices.min(by: { abs(cubeLevels[$0] - Double(v)) < abs(cubeLevels[$1] - Double(v)) })!
            }
            return .indexed(UInt8(16 + 36 * level(c.r) + 6 * level(c.g) + level(c.b)))
        case .ansi16:
            if isGreyish(c) { return .indexed(dither(c.luminance, levels: greys16, threshold: threshold)) }
            func distance(_ p: RGB) -> Int {
                let dr = Int(p.r) - Int(c.r), dg = Int(p.g) - Int(c.g), db = Int(p.b) - Int(c.b)
                return dr * dr + dg * dg + db * db
            }
            return .indexed(UInt8(ansi16.indices.min(by: { distance(ansi16[$0]) < distance(ansi16[$1]) })!))
        }
    }

    /// The terminal colour for a flat interface colour (text, panels): nearest entry, never dithered.
    public static func solid(_ c: RGB, mode: ColorMode) -> TerminalColor {
        switch mode {
        case .mono: return .terminalDefault
        case .truecolor: return .rgb(c)
        case .palette256, .ansi16: return color(c, mode: mode, threshold: 0.5)
        }
    }

    /// The shade glyph for brightness `v` (0…255) at cell (`x`, `y`), dithered across the five shades.
    public static func shade(_ v: Double, x: Int, y: Int) -> Character {
        let steps = Double(shades.count - 1)
        let scaled = max(0, min(steps, v / 255 * steps))
        let lo = Int(scaled.rounded(.down))
        if lo >= shades.count - 1 { return shades[shades.count - 1] }
        return shades[scaled - Double(lo) > threshold(x: x, y: y) ? lo + 1 : lo]
    }
}
