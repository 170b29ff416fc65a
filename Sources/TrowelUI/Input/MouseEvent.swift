/// A mouse report (SGR 1006 encoding), in zero-based cell coordinates.
public struct MouseEvent: Hashable, Sendable {
    public enum Button: Hashable, Sendable { case left, middle, right, wheelUp, wheelDown, none }
    public enum Action: Hashable, Sendable { case press, drag, release }

    public var button: Button
    public var action: Action
    public var column: Int
    public var row: Int
    public var shift: Bool
    public var alt: Bool
    public var control: Bool

    public init(button: Button, action: Action, column: Int, row: Int, shift: Bool = false, alt: Bool = false,
                control: Bool = false) {
        self.button = button
        self.action = action
        self.column = column
        self.row = row
        self.shift = shift
        self.alt = alt
        self.control = control
    }
}
