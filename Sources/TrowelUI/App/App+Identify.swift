extension App {
    /// Hands `event` to the taxon panel's own update function and shows what it says.
    static func identify(_ event: IdentifyEvent, _ state: inout AppState) -> [Effect] {
        let reply = state.identify.update(event)
        if let text = reply.message { say(&state, text, error: reply.isError) }
        return reply.effects
    }
}
