extension App {
    /// Hands `event` to the match's own update function, shows what it says and goes where it found.
    static func match(_ event: MatchEvent, _ state: inout AppState) -> [Effect] {
        let reply = state.match.update(event)
        if let text = reply.message { say(&state, text, error: reply.isError) }
        var effects = reply.effects
        if let (axis, slice) = reply.goTo {
            effects = endStroke(&state) + effects
            state.viewport.setAxis(axis)
            state.viewport.step(slices: slice - state.viewport.slice)
        }
        return effects
    }
}
