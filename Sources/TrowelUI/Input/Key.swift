/// A key press, decoded from the terminal's byte stream by the backend.
public enum Key: Hashable, Sendable, CustomStringConvertible {
    /// A printable character, including space and shifted letters (`H`, `{`, `?`).
    case character(Character)
    /// Ctrl with a letter: `.control("r")` is Ctrl-R (byte 0x12).
    case control(Character)
    case enter, escape, backspace, tab, backTab, delete, insert
    case up, down, left, right, home, end, pageUp, pageDown
    case function(Int)

    /// How the help screen and the config file write it: `j`, `Ctrl-r`, `Enter`, `Up`, `F1`, `Space`.
    public var description: String {
        switch self {
        case .character(" "): return "Space"
        case .character(let c): return String(c)
        case .control(let c): return "Ctrl-\(c)"
        case .enter: return "Enter"
        case .escape: return "Esc"
        case .backspace: return "Backspace"
        case .tab: return "Tab"
        case .backTab: return "Shift-Tab"
        case .delete: return "Delete"
        case .insert: return "Insert"
        case .up: return "Up"
        case .down: return "Down"
        case .left: return "Left"
        case .right: return "Right"
        case .home: return "Home"
        case .end: return "End"
        case .pageUp: return "PageUp"
        case .pageDown: return "PageDown"
        case .function(let n): return "F\(n)"
        }
    }

    /// Parses the names `description` prints (for key remapping in the config file).
    public init?(name: String) {
        let named: [String: Key] = [
            "space": .character(" "), "enter": .enter, "return": .enter, "esc": .escape, "escape": .escape,
            "backspace": .backspace, "tab": .tab, "shift-tab": .backTab, "delete": .delete, "insert": .insert,
            "up": .up, "down": .down, "left": .left, "right": .right, "home": .home, "end": .end,
            "pageup": .pageUp, "pagedown": .pageDown,
        ]
        if let k = named[name.lowercased()] { self = k; return }
        if name.count == 1 { self = .character(name.first!); return }
        let lower = name.lowercased()
        if lower.hasPrefix("ctrl-"), name.count == 6 { self = .control(Character(name.suffix(1).lowercased())); return }
        if lower.hasPrefix("f"), let n = Int(name.dropFirst()), (1...24).contains(n) { self = .function(n); return }
        return nil
    }
}
