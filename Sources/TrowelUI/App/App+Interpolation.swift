extension App {
    /// Hands `event` to the interpolation's own update function and shows what it says.
    static func interpolation(_ event: InterpolationEvent, _ state: inout AppState) -> [Effect] {
        let labelled = state.labelCounts.filter { $0.value > 0 }.keys.sorted().map { state.style(ofClass: $0).name }
        let reply = state.interpolation.update(event, labelledClasses: labelled)
        if let text = reply.message { say(&state, text, error: reply.isError) }
        return reply.effects
    }
}
