extension App {
    /// Hands `event` to the server's own state and shows what it says.
    static func serve(_ event: ServeState.Event, _ state: inout AppState) -> [Effect] {
        let reply = state.serve.update(event)
        if let text = reply.message { say(&state, text, error: reply.isError) }
        return reply.effects
    }
}
