import TrowelUI

/// Turns the stream of `wget_wch` results into keys and SGR mouse events.
///
/// ncurses decodes the key sequences terminfo knows (arrows, F-keys); mouse reports are left to this
/// decoder (the backend removes terminfo's `kmous`), so `ESC [ < b ; x ; y M` arrives as plain
/// characters and is parsed here. A lone Esc stays pending until `flush()` (input ran dry).
public struct InputDecoder: Sendable {
    enum State: Equatable, Sendable {
        case ground
        /// Saw ESC.
        case escape
        /// Saw ESC [ (a control sequence ncurses did not recognise as a key).
        case controlSequence
        /// Saw ESC [ < and these parameter characters.
        case mouse(String)
    }

    private(set) var state: State = .ground

    public init() {}

    /// True while an escape sequence has started but not finished: more bytes may be in flight.
    public var isMidSequence: Bool { state != .ground }

    /// Feeds one `wget_wch` result; returns the events it completes (often none or one).
    public mutating func feed(_ input: RawInput) -> [InputEvent] {
        switch input {
        case .keyCode(let code):
            var events = flush()
            if let key = KeyMapping.key(forKeyCode: code) { events.append(.key(key)) }
            return events
        case .character(let scalar):
            return feed(scalar)
        }
    }

    /// Feeds every result in order (convenience for tests and bursts).
    public mutating func feed(_ inputs: some Sequence<RawInput>) -> [InputEvent] {
        inputs.flatMap { feed($0) }
    }

    /// Ends a pending sequence because no more input came: a lone ESC is the Esc key; a partial
    /// control sequence or mouse report is dropped (never replayed as stray keys).
    public mutating func flush() -> [InputEvent] {
        defer { state = .ground }
        return state == .escape ? [.key(.escape)] : []
    }

    private mutating func feed(_ scalar: Unicode.Scalar) -> [InputEvent] {
        switch state {
        case .ground:
            if scalar == "\u{1B}" {
                state = .escape
                return []
            }
            return KeyMapping.key(for: scalar).map { [.key($0)] } ?? []
        case .escape:
            if scalar == "[" {
                state = .controlSequence
                return []
            }
            // Esc followed by anything else (Alt-x, or Esc typed twice): Esc, then that key.
            state = .ground
            return [.key(.escape)] + feed(scalar)
        case .controlSequence:
            if scalar == "<" {
                state = .mouse("")
            } else if (0x40...0x7E).contains(scalar.value) {
                state = .ground  // An unknown sequence ended; swallow it.
            } else if !(0x20...0x3F).contains(scalar.value) {
                state = .ground
                return feed(scalar)
            }
            return []
        case .mouse(var parameters):
            if scalar == "M" || scalar == "m" {
                state = .ground
                return SGRMouseReport.decode(parameters: Substring(parameters), final: Character(scalar))
                    .map { [.mouse($0)] } ?? []
            }
            if ("0"..."9").contains(scalar) || scalar == ";" {
                parameters.unicodeScalars.append(scalar)
                state = parameters.count > 32 ? .ground : .mouse(parameters)
                return []
            }
            state = .ground  // Malformed: drop it.
            return []
        }
    }
}
