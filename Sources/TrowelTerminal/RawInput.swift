/// One result of `wget_wch`: a character (`OK`) or a curses key code (`KEY_CODE_YES`).
public enum RawInput: Hashable, Sendable {
    case character(Unicode.Scalar)
    case keyCode(Int32)
}
