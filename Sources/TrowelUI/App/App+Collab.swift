extension App {
    /// Hands `event` to the collaboration state and shows what it says.
    static func collab(_ event: CollabState.Event, _ state: inout AppState) -> [Effect] {
        if case .foreignJob(let job, _) = event {
            if let i = state.jobs.firstIndex(where: { $0.id == job.id }) { state.jobs[i] = job } else { state.jobs.append(job) }
            state.overlay = .jobs(selected: state.jobs.firstIndex { $0.id == job.id } ?? 0)
        }
        if let text = state.collab.update(event) { say(&state, text) }
        return []
    }
}

extension AppState {
    /// Who else painted the voxel under the cursor (nil when unlabelled, or painted by this session's author).
    public var cursorAuthor: String? {
        guard let labels, labels.axis == viewport.axis, labels.index == viewport.slice, let owners = labels.owners else { return nil }
        let (ra, ca) = viewport.axis.planeAxes
        let row = viewport.cursor[ra], column = viewport.cursor[ca]
        guard labels.label(row: row, column: column) != 0 else { return nil }
        let n = Int(owners[row * labels.columns + column])
        return n > 0 && n <= labels.authors.count ? labels.authors[n - 1] : nil
    }
}
