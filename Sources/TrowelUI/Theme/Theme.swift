/// Colours of the interface, default class colours and the colour map for slices, read from
/// `Themes/<name>.toml`. Class colours stored in the project win over the theme's palette.
public struct Theme: Equatable, Sendable {
    public var name: String
    public var background: RGB
    public var text: RGB
    public var dim: RGB
    public var accent: RGB
    public var panel: RGB
    public var statusBackground: RGB
    public var statusText: RGB
    public var warning: RGB
    public var cursor: RGB
    /// Colours for classes 1, 2, 3, … when the project has none of its own.
    public var classPalette: [RGB]
    /// Grey value (0…1) to colour, as stops spread evenly from 0 to 1.
    public var sliceColormap: [RGB]

    /// The built-in dark theme, used when no theme file is found.
    public static let dark = Theme(
        name: "dark", background: RGB(16, 16, 20), text: RGB(220, 220, 220), dim: RGB(130, 130, 140),
        accent: RGB(240, 190, 80), panel: RGB(28, 28, 34), statusBackground: RGB(50, 50, 60),
        statusText: RGB(235, 235, 235), warning: RGB(240, 90, 70), cursor: RGB(255, 80, 200),
        classPalette: [RGB(232, 196, 104), RGB(79, 134, 198), RGB(214, 96, 77), RGB(120, 190, 110),
                       RGB(170, 120, 210), RGB(90, 200, 200), RGB(240, 150, 60), RGB(200, 200, 90), RGB(230, 130, 180)],
        sliceColormap: [RGB(0, 0, 0), RGB(255, 255, 255)])

    /// Colour for grey value `t` (0…1) along the slice colour map.
    public func sliceColor(_ t: Double) -> RGB {
        let stops = sliceColormap
        guard stops.count > 1 else { return stops.first ?? RGB(grey: UInt8(max(0, min(255, t * 255)))) }
        let x = max(0, min(1, t)) * Double(stops.count - 1)
        let i = min(stops.count - 2, Int(x))
        return stops[i].blended(with: stops[i + 1], amount: x - Double(i))
    }

    /// Reads a theme file's text; missing keys keep the dark theme's values.
    public init(toml text: String, fallbackName: String) throws(ThemeError) {
        let table: TOMLTable
        do { table = try TOMLTable(parsing: text) } catch { throw ThemeError.syntax(fallbackName, error.description) }
        var theme = Theme.dark
        theme.name = table[""]["name"]?.string ?? fallbackName
        let ui = table["ui"]
        func color(_ key: String, _ keyPath: WritableKeyPath<Theme, RGB>) throws(ThemeError) {
            guard let v = ui[key] else { return }
            guard let s = v.string, let c = RGB(hex: s) else { throw ThemeError.badColor(theme.name, "ui.\(key)") }
            theme[keyPath: keyPath] = c
        }
        try color("background", \.background)
        try color("text", \.text)
        try color("dim", \.dim)
        try color("accent", \.accent)
        try color("panel", \.panel)
        try color("status_background", \.statusBackground)
        try color("status_text", \.statusText)
        try color("warning", \.warning)
        try color("cursor", \.cursor)
        func colors(_ section: String, _ key: String) throws(ThemeError) -> [RGB]? {
            guard let v = table[section][key] else { return nil }
            guard let list = v.strings, !list.isEmpty else { throw ThemeError.badColor(theme.name, "\(section).\(key)") }
            var out: [RGB] = []
            for s in list {
                guard let c = RGB(hex: s) else { throw ThemeError.badColor(theme.name, "\(section).\(key)") }
                out.append(c)
            }
            return out
        }
        if let p = try colors("classes", "palette") { theme.classPalette = p }
        if let m = try colors("colormaps", "slice") { theme.sliceColormap = m }
        self = theme
    }

    init(name: String, background: RGB, text: RGB, dim: RGB, accent: RGB, panel: RGB, statusBackground: RGB,
         statusText: RGB, warning: RGB, cursor: RGB, classPalette: [RGB], sliceColormap: [RGB]) {
        self.name = name
        self.background = background
        self.text = text
        self.dim = dim
        self.accent = accent
        self.panel = panel
        self.statusBackground = statusBackground
        self.statusText = statusText
        self.warning = warning
        self.cursor = cursor
        self.classPalette = classPalette
        self.sliceColormap = sliceColormap
    }
}

/// A theme file that cannot be used, named in one line.
public enum ThemeError: Error, CustomStringConvertible, Equatable {
    case syntax(String, String)
    case badColor(String, String)
    case notFound(String, [String])

    public var description: String {
        switch self {
        case .syntax(let theme, let why): return "theme \(theme): \(why)"
        case .badColor(let theme, let key): return "theme \(theme): \(key) must be a colour like \"#e8c468\" (or a list of them)"
        case .notFound(let theme, let known): return "no theme '\(theme)'; known: \(known.joined(separator: ", "))"
        }
    }
}
