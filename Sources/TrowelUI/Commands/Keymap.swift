/// Which command each key runs: the defaults of the `Command` table, then the user's remappings.
public struct Keymap: Equatable, Sendable {
    public private(set) var bindings: [Key: Command]

    public static let standard = Keymap()

    public init() {
        bindings = [:]
        for command in Command.allCases {
            for key in command.defaultKeys { bindings[key] = command }
        }
    }

    public func command(for key: Key) -> Command? { bindings[key] }

    /// The keys that run `command`, in a stable order for the help screen.
    public func keys(for command: Command) -> [Key] {
        bindings.filter { $0.value == command }.map(\.key).sorted { $0.description < $1.description }
    }

    /// Binds `key` to `command`, replacing whatever it did before.
    public mutating func bind(_ key: Key, to command: Command) {
        bindings[key] = command
    }

    /// Applies `[keys]` remappings from the config file: `command-name = "key"` or `= ["k1", "k2"]`.
    /// Unknown commands or keys are reported, one line each, and skipped.
    public mutating func apply(remappings: [String: [String]]) -> [String] {
        var problems: [String] = []
        for (name, keyNames) in remappings.sorted(by: { $0.key < $1.key }) {
            guard let command = Command(rawValue: name) else {
                problems.append("unknown command '\(name)' in [keys]")
                continue
            }
            for keyName in keyNames {
                guard let key = Key(name: keyName) else {
                    problems.append("unknown key '\(keyName)' for \(name) in [keys]")
                    continue
                }
                bind(key, to: command)
            }
        }
        return problems
    }
}
