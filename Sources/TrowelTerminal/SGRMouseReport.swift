import TrowelUI

/// Decodes xterm SGR (mode 1006) mouse reports, `ESC [ < b ; x ; y M` (press, drag) or `… m` (release).
///
/// Pure, so it is tested without a terminal. `b` carries the button in bits 0–1 (0 left, 1 middle,
/// 2 right, 3 none), modifiers shift 4 / alt 8 / ctrl 16, motion 32 and wheel 64; `x`, `y` are 1-based.
public enum SGRMouseReport {
    /// The event for the parameter text between `ESC [ <` and the final byte, e.g. `"0;12;5"` and `"M"`.
    /// Returns nil for malformed reports, which are then ignored rather than misread as keys.
    public static func decode(parameters: Substring, final: Character) -> MouseEvent? {
        guard final == "M" || final == "m" else { return nil }
        let fields = parameters.split(separator: ";", omittingEmptySubsequences: false)
        guard fields.count == 3, let code = Int(fields[0]), let x = Int(fields[1]), let y = Int(fields[2]),
              code >= 0, x >= 1, y >= 1 else { return nil }
        let shift = code & 4 != 0, alt = code & 8 != 0, control = code & 16 != 0
        let motion = code & 32 != 0
        let button: MouseEvent.Button
        if code & 64 != 0 {
            // Wheel reports arrive as presses only; 66/67 (horizontal wheel) are not used by Trowel.
            switch code & 3 {
            case 0: button = .wheelUp
            case 1: button = .wheelDown
            default: return nil
            }
        } else {
            switch code & 3 {
            case 0: button = .left
            case 1: button = .middle
            case 2: button = .right
            default: button = .none
            }
        }
        let action: MouseEvent.Action
        if final == "m" {
            action = .release
        } else if motion {
            action = .drag
        } else {
            action = .press
        }
        return MouseEvent(button: button, action: action, column: x - 1, row: y - 1,
                          shift: shift, alt: alt, control: control)
    }

    /// Decodes one whole report, `ESC [ < … M`, as a string (for tests and tools).
    public static func decode(_ report: String) -> MouseEvent? {
        guard report.hasPrefix("\u{1B}[<"), let final = report.last else { return nil }
        let body = report.dropFirst(3).dropLast()
        return decode(parameters: body, final: final)
    }
}
