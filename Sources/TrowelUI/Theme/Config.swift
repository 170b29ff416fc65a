/// The user's settings from `~/.config/trowel/config.toml`:
///
/// ```toml
/// theme = "colorblind"
/// color = "256"              # truecolor | 256 | 16 | mono (default: detect)
/// graphics = "auto"          # auto | kitty | sixel | iterm | cells
/// task_size = 128
/// [keys]
/// undo = "z"
/// redo = ["Ctrl-y", "U"]
/// ```
public struct Config: Equatable, Sendable {
    public var theme: String?
    public var colorMode: ColorMode?
    /// How slice panes are drawn: detected (`auto`, the default), an image protocol, or half-blocks.
    public var graphics = GraphicsRequest.auto
    public var taskSize = 128
    /// New tasks where the model is least certain (`uncertain`, the default) or anywhere (`random`).
    public var uncertainTasks = true
    public var keymap = Keymap.standard
    /// Lines about settings that were ignored (unknown keys or commands), to show once at start.
    public var warnings: [String] = []

    public init() {}

    public init(toml text: String) throws(TOMLError) {
        let table = try TOMLTable(parsing: text)
        let top = table[""]
        theme = top["theme"]?.string
        if let c = top["color"]?.string {
            if let mode = ColorMode(rawValue: c) { colorMode = mode } else { warnings.append("color = \"\(c)\": use truecolor, 256, 16 or mono") }
        }
        if let g = top["graphics"]?.string {
            if let request = GraphicsRequest(g) { graphics = request } else { warnings.append("graphics = \"\(g)\": use \(GraphicsRequest.choices)") }
        }
        if let n = top["task_size"]?.number, n >= 16, n <= 1024 { taskSize = Int(n) }
        if let choice = top["task_choice"]?.string {
            if choice == "random" || choice == "uncertain" { uncertainTasks = choice == "uncertain" } else {
                warnings.append("task_choice = \"\(choice)\": use uncertain or random")
            }
        }
        for key in top.keys where !["theme", "color", "graphics", "task_size", "task_choice"].contains(key) {
            warnings.append("unknown setting '\(key)'")
        }
        var remaps: [String: [String]] = [:]
        for (command, value) in table["keys"] {
            remaps[command] = value.strings ?? []
        }
        warnings += keymap.apply(remappings: remaps)
    }
}
