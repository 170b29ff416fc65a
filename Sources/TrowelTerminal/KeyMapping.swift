import CNcursesw
import TrowelUI

/// Maps what `wget_wch` returns — a character or a curses key code — to Trowel's `Key`.
///
/// Pure: no curses state is touched, so the table is unit-tested directly.
public enum KeyMapping {
    /// The key for a character `wget_wch` returned (`OK`): printable text, Ctrl-letters, Enter, Tab,
    /// Esc and Backspace (DEL, 127). Nil for control bytes Trowel does not bind.
    public static func key(for scalar: Unicode.Scalar) -> Key? {
        switch scalar.value {
        case 9: return .tab
        case 10, 13: return .enter  // nonl(): Enter is CR; some terminals send LF (Ctrl-J).
        case 27: return .escape
        case 127: return .backspace
        case 1...26: return .control(Character(Unicode.Scalar(scalar.value + 96)!))
        case 0, 28...31, 128...159: return nil
        default: return .character(Character(scalar))
        }
    }

    /// The key for a curses key code (`KEY_CODE_YES`): arrows, paging, editing and function keys.
    public static func key(forKeyCode code: Int32) -> Key? {
        switch code {
        case KEY_UP: return .up
        case KEY_DOWN: return .down
        case KEY_LEFT: return .left
        case KEY_RIGHT: return .right
        case KEY_HOME: return .home
        case KEY_END: return .end
        case KEY_PPAGE: return .pageUp
        case KEY_NPAGE: return .pageDown
        case KEY_DC: return .delete
        case KEY_IC: return .insert
        case KEY_BACKSPACE: return .backspace
        case KEY_ENTER: return .enter
        case KEY_BTAB: return .backTab
        default:
            for n in 1...12 where code == trowel_key_f(Int32(n)) { return .function(n) }
            return nil
        }
    }
}
