/// What the terminal delivers to the app: keys, mouse reports and size changes.
public enum InputEvent: Hashable, Sendable {
    case key(Key)
    case mouse(MouseEvent)
    /// The terminal now has `width` columns and `height` rows.
    case resize(width: Int, height: Int)
}
