import Foundation
import Testing
import TrowelEngine
import TrowelVolume
@testable import TrowelUI

/// The viewer's side of several sessions on one project: the poll, the per-author panel, the
/// "painted by" status and another session's segmentation shown by `S`.
@Suite struct CollabStateTests {
    let classes = [ClassStyle(id: 1, name: "bone", color: RGB(232, 196, 104)), ClassStyle(id: 2, name: "matrix", color: RGB(79, 134, 198))]

    func start() -> (FakeDriver, AppState) {
        var driver = FakeDriver(shape: Shape(z: 20, y: 40, x: 60))
        var state = AppState(scan: driver.scan, classes: classes, screen: (100, 30), colorMode: .palette256)
        driver.send(.tick, to: &state)
        return (driver, state)
    }

    @Test func pollsEveryOtherTickOneAtATime() {
        var state = CollabState(me: "alice")
        var polls = 0
        for _ in 0..<8 where state.tick() != nil { polls += 1 }
        #expect(polls == 1, "no second poll while one is out")
        _ = state.update(.polled(CollabState.Snapshot(me: "alice", countsByAuthor: [:])))
        #expect(state.tick() == nil && state.tick() == .pollCollaborators)
    }

    @Test func anotherAuthorShowsInThePanelAndUnderTheCursor() {
        var (_, state) = start()
        #expect(!App.view(state).text.contains("annotators"))
        _ = App.update(&state, .collab(.polled(CollabState.Snapshot(me: "alice", countsByAuthor: ["alice": 120, "bob": 45],
                                                                   othersEdits: 3, lastOther: "bob"))))
        #expect(state.message?.contains("bob is painting this project too") == true)
        var text = App.view(state).text
        #expect(text.contains("annotators") && text.contains("alice (you)") && text.contains("bob"))
        #expect(!text.contains("painted by"))
        // Bob painted the voxel under the cursor.
        let c = state.viewport.cursor
        var slice = state.labels!
        slice.labels[c.y * slice.columns + c.x] = 2
        slice.authors = ["bob"]
        slice.owners = [UInt8](repeating: 0, count: slice.labels.count)
        slice.owners![c.y * slice.columns + c.x] = 1
        state.labels = slice
        state.message = nil
        #expect(state.cursorAuthor == "bob")
        text = App.view(state).text
        #expect(text.split(separator: "\n").last?.contains("painted by bob") == true)
    }

    @Test func anotherSessionsSegmentationOpensTheQueue() {
        var (_, state) = start()
        let job = JobStatus(id: -7, title: "segment abc123", done: 3, total: 10, rate: 0, secondsRemaining: nil, state: .running)
        _ = App.update(&state, .collab(.foreignJob(job, holder: "bob@host, pid 9")))
        #expect(state.jobs.contains(job) && state.overlay == .jobs(selected: 0))
        #expect(state.message?.contains("already running in bob@host, pid 9's session") == true)
        // It is not this session's: c does not stop it, and q quits at once.
        var effects = App.update(&state, .input(.key(.character("c"))))
        #expect(effects.isEmpty && state.message?.contains("runs in another session") == true)
        _ = App.update(&state, .input(.key(.escape)))
        effects = App.update(&state, .input(.key(.character("q"))))
        #expect(effects.contains(.quit))
    }
}
