import Testing
import TrowelEngine
import TrowelVolume
@testable import TrowelUI

/// The interpolation's own update function, and how `I`, `:interpolate` and the job queue reach it.
@Suite struct InterpolationStateTests {
    let both = ["bone", "matrix"]
    let summary = InterpolationSummary(id: "interp-1", labelledSlices: [4, 12, 20], converged: true)

    func job(_ id: Int, _ state: JobStatus.State) -> JobStatus {
        JobStatus(id: id, title: "interpolate", done: 1, total: 5, rate: 0, secondsRemaining: nil, state: state, kind: .interpolation,
                  phase: "solving")
    }

    func slice(_ id: String, index: Int) -> InterpolatedSlice {
        InterpolatedSlice(id: id, labels: LabelSlice(axis: .z, index: index, rows: 2, columns: 2, labels: [1, 1, 2, 0]))
    }

    @Test func withoutLabelsOnTwoClassesNothingRuns() {
        var s = InterpolationState()
        let none = s.update(.toggle, labelledClasses: [])
        #expect(none.effects.isEmpty && none.isError && !s.isRunning)
        #expect(none.message == "interpolation needs labels on at least two slices; no slice is labelled")
        let one = s.update(.run, labelledClasses: ["bone"])
        #expect(one.effects.isEmpty && one.isError && one.message?.contains("at least two classes; only bone") == true)
        #expect(!s.isRunning && s.result == nil)
    }

    @Test func aRunIsAJobThatEndsInAShownOverlay() {
        var s = InterpolationState()
        let started = s.update(.toggle, labelledClasses: both)
        #expect(started.effects == [.interpolate] && s.isRunning && !started.isError)
        // A second press while it runs starts nothing.
        #expect(s.update(.toggle, labelledClasses: both).effects.isEmpty)
        #expect(s.update(.run, labelledClasses: both).effects.isEmpty)
        _ = s.update(.job(job(3, .running)), labelledClasses: both)
        #expect(s.jobID == 3 && s.isRunning)
        #expect(s.load(axis: .z, index: 10) == nil, "nothing to show before it is done")

        _ = s.update(.job(job(3, .finished)), labelledClasses: both)
        let done = s.update(.finished(summary), labelledClasses: both)
        #expect(!s.isRunning && s.isShown && s.result == summary)
        #expect(summary.interpolatedSlices == 14, "z 4…20 is 17 slices, 3 of them labelled")
        #expect(done.effects == [.listSegmentations])
        #expect(done.message == "interp-1: filled 14 slices between 3 labelled, z 4…20; I toggles the overlay")

        // The overlay asks for the slice in view once, and shows only that interpolation's slice.
        #expect(s.load(axis: .z, index: 10) == .loadInterpolation(id: "interp-1", axis: .z, index: 10))
        s.pending = .init(id: "interp-1", axis: .z, index: 10)
        #expect(s.load(axis: .z, index: 10) == nil)
        _ = s.update(.sliceLoaded(slice("interp-0", index: 10)), labelledClasses: both)
        #expect(s.overlay(axis: .z, index: 10) == nil, "a slice of another interpolation is not shown")
        _ = s.update(.sliceLoaded(slice("interp-1", index: 10)), labelledClasses: both)
        #expect(s.pending == nil && s.overlay(axis: .z, index: 10)?.labels == [1, 1, 2, 0])
        #expect(s.overlay(axis: .z, index: 11) == nil && s.load(axis: .z, index: 10) == nil)

        // I hides and shows it again; nothing is recomputed.
        let hidden = s.update(.toggle, labelledClasses: both)
        #expect(hidden.effects.isEmpty && !s.isShown && s.overlay(axis: .z, index: 10) == nil && s.load(axis: .z, index: 11) == nil)
        #expect(hidden.message?.contains("model's hypothesis") == true)
        let shown = s.update(.toggle, labelledClasses: both)
        #expect(shown.effects.isEmpty && s.isShown && s.overlay(axis: .z, index: 10) != nil)

        // New labels make it stale; :interpolate runs it again.
        _ = s.update(.labelsChanged, labelledClasses: both)
        #expect(s.isStale)
        _ = s.update(.toggle, labelledClasses: both)
        #expect(s.update(.toggle, labelledClasses: both).message?.contains(":interpolate runs it again") == true && s.isShown)
        #expect(s.update(.run, labelledClasses: both).effects == [.interpolate] && s.isRunning && !s.isStale)
    }

    @Test func failuresAndStopsEndTheRun() {
        var s = InterpolationState()
        _ = s.update(.toggle, labelledClasses: both)
        _ = s.update(.job(job(1, .running)), labelledClasses: both)
        let why = InterpolationError.tooFewSlices(labelled: [80], needed: 2).description
        #expect(why == "interpolation needs labels on at least two slices; only slice z 80 is labelled")
        let failed = s.update(.job(job(1, .failed(why))), labelledClasses: both)
        #expect(failed.isError && failed.message == why && !s.isRunning && s.result == nil)
        _ = s.update(.run, labelledClasses: both)
        _ = s.update(.job(job(2, .running)), labelledClasses: both)
        let stopped = s.update(.job(job(2, .cancelled)), labelledClasses: both)
        #expect(!stopped.isError && stopped.message?.contains("nothing was written") == true && !s.isRunning)
    }

    @Test func theAppRoutesKeysJobsAndTheCommandLine() {
        var driver = FakeDriver(shape: Shape(z: 20, y: 40, x: 60))
        var state = AppState(scan: driver.scan, classes: [ClassStyle(id: 1, name: "bone", color: RGB(232, 196, 104)),
                                                          ClassStyle(id: 2, name: "matrix", color: RGB(79, 134, 198))],
                             screen: (100, 30), colorMode: .palette256)
        driver.send(.tick, to: &state)
        driver.press("I", &state)
        #expect(state.messageIsError && state.message?.contains("at least two slices") == true)
        #expect(!driver.log.contains(.interpolate))
        driver.press(" l 2jj l ", &state)                          // bone, then matrix
        #expect(state.labelCounts.count == 2)
        driver.press("I", &state)
        #expect(driver.log.contains(.interpolate) && state.interpolation.isRunning)
        // Its job is in the queue; a segmentation may still start, and q asks once.
        driver.send(.jobUpdated(job(5, .running)), to: &state)
        #expect(state.jobs.count == 1 && state.interpolation.jobID == 5)
        state.currentModel = "m1"
        driver.press("S", &state)
        #expect(driver.log.contains(.segment(modelID: "m1")) && state.jobs.count == 2)
        state.jobs.swapAt(0, 1)                                     // the interpolation last, selected in the queue
        driver.press("q", &state)
        #expect(!state.quitting && state.message?.contains("an interpolation is running: q again quits") == true)
        // c in the queue stops the interpolation.
        driver.press("g", &state)
        driver.press("c", &state)
        #expect(driver.log.contains(.cancelJob(5)) && state.message == "stopping interpolate")
        driver.send(.input(.key(.escape)), to: &state)
        driver.send(.jobUpdated(job(5, .finished)), to: &state)
        driver.send(.interpolation(.finished(summary)), to: &state)
        #expect(state.interpolation.isShown && state.interpolation.pending?.index == state.viewport.slice,
                "the overlay reads the slice in view")
        // The side panel says which overlay shows and how many slices were filled.
        let lines = SidePanel(state: state).interpolationLines().map(\.0)
        #expect(lines == ["overlay: interpolation (I)", "14 slices filled, z 4–20", "from 3 labelled", "interp-1"])
        driver.press(":interpolate", &state)
        driver.send(.input(.key(.enter)), to: &state)
        #expect(driver.log.filter { $0 == .interpolate }.count == 2 && state.interpolation.isRunning)
    }
}
