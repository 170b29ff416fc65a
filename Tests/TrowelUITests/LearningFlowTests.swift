import Testing
import TrowelEngine
import TrowelVolume
@testable import TrowelUI

@Suite struct LearningFlowTests {
    let classes = [ClassStyle(id: 1, name: "bone", color: RGB(232, 196, 104)), ClassStyle(id: 2, name: "matrix", color: RGB(79, 134, 198))]

    func start() -> (FakeDriver, AppState) {
        var driver = FakeDriver(shape: Shape(z: 20, y: 40, x: 60))
        var state = AppState(scan: driver.scan, classes: classes, screen: (110, 36), colorMode: .palette256)
        driver.send(.tick, to: &state)
        return (driver, state)
    }

    func trains(_ driver: FakeDriver) -> Int { driver.log.filter { $0 == .train }.count }

    @Test func trainingWaitsUntilPaintingPauses() {
        var (driver, state) = start()
        let delay = App.trainDelayTicks
        driver.press(" ll ", &state)                       // one stroke ends
        for _ in 0..<(delay - 1) { driver.send(.tick, to: &state) }
        driver.press(" jj ", &state)                       // another stroke: the countdown starts again
        for _ in 0..<(delay - 1) { driver.send(.tick, to: &state) }
        #expect(trains(driver) == 0)
        driver.send(.tick, to: &state)
        #expect(trains(driver) == 1)
        for _ in 0..<10 { driver.send(.tick, to: &state) }
        #expect(trains(driver) == 1, "nothing changed since: no retraining")
    }

    @Test func anOpenStrokeHoldsTrainingBack() {
        var (driver, state) = start()
        driver.press(" l ", &state)
        driver.press(" l", &state)                         // pen down again, stroke open
        for _ in 0..<6 { driver.send(.tick, to: &state) }
        #expect(trains(driver) == 0)
        driver.press(" ", &state)
        for _ in 0..<App.trainDelayTicks { driver.send(.tick, to: &state) }
        #expect(trains(driver) == 1)
    }

    @Test func aModelBringsTheOverlayProbabilitiesAndMetrics() {
        var (driver, state) = start()
        driver.press(" l ", &state)
        driver.press("t", &state)
        #expect(state.currentModel == "m1" && state.training == nil)
        #expect(state.prediction?.modelID == "m1")
        let v = state.viewport
        let visible = v.voxel(atScreenX: 0, y: 0)
        #expect(state.prediction!.rows.lowerBound <= max(0, Int(visible.row)))
        let panel = SidePanel(state: state).modelLines().map(\.0)
        #expect(panel.contains("F1 bone    0.85 ▂"), "\(panel)")
        #expect(panel.contains("OOB error 0.010 (optimistic)"), "\(panel)")
        #expect(panel.contains("basic σ0.5–16 +raw"), "the recipe that made the model: \(panel)")
        #expect(panel.contains("   P 0.90 R 0.80 J 0.70") && panel.contains("accuracy 0.900 (held out)"), "\(panel)")
        #expect(panel.contains { $0.hasPrefix("bone    ") && $0.contains("█") }, "probability bars: \(panel)")
        // A new stroke makes the overlay stale until the next model.
        driver.press(" j ", &state)
        #expect(SidePanel(state: state).modelLines().map(\.0).contains("m1 (stale)"))
        for _ in 0..<App.trainDelayTicks { driver.send(.tick, to: &state) }
        #expect(state.currentModel == "m2" && !state.labelsChangedSinceModel)
        let history = SidePanel(state: state).modelLines().map(\.0)
        #expect(history.contains("F1 bone    0.90 ▂▄"), "\(history)")
    }

    /// A model whose folds could not score a class (its labels on a single slice) showed held-out
    /// F1 0.00 in the panel; now it shows "–" and says the labels are too few to score.
    @Test func aModelWithTooFewLabelsToScoreSaysSo() {
        var (_, state) = start()
        let scores = ClassScores(precision: 0.9, recall: 0.8, f1: 0.85, jaccard: 0.7, accuracy: 0.9)
        for (id, scored) in [("m1", nil), ("m2", [1: scores])] as [(String, [Int: ClassScores]?)] {
            state.models = [ModelSummary(id: id, scores: scored, accuracy: nil, oobError: 0.01, trainingVoxels: 40)]
            state.currentModel = id
            let panel = SidePanel(state: state).modelLines().map(\.0)
            #expect(panel.contains { $0.hasPrefix("F1 matrix  – ") }, "\(panel)")
            #expect(!panel.contains { $0.contains("0.00") }, "\(panel)")
            #expect(panel.contains("too few labels to score") && panel.contains("(each class on 2+ slices)"), "\(panel)")
            #expect(panel.contains { $0.hasPrefix(scored == nil ? "F1 bone    – " : "F1 bone    0.85 ") }, "\(panel)")
        }
        // Scored on both classes: no such line.
        state.models = [ModelSummary(id: "m3", scores: [1: scores, 2: scores], accuracy: 0.9, oobError: nil, trainingVoxels: 40)]
        state.currentModel = "m3"
        #expect(!SidePanel(state: state).modelLines().map(\.0).contains("too few labels to score"))
    }

    @Test func predictionFollowsTheSliceAndTheModelsPanelSwitchesModels() {
        var (driver, state) = start()
        driver.press(" l t", &state)
        driver.press("t", &state)
        #expect(state.models.map(\.id) == ["m1", "m2"])
        driver.press("]", &state)
        #expect(state.prediction?.index == state.viewport.slice)
        driver.press("m", &state)
        let models = App.view(state).text
        #expect(models.contains("Models (scores on held-out slices") && models.contains("P 0.90  R 0.80  F1 0.85  J 0.70  acc 0.950"))
        driver.press("k", &state)
        driver.send(.input(.key(.enter)), to: &state)
        #expect(driver.log.contains(.useModel("m1")) && state.currentModel == "m1")
        #expect(state.prediction?.modelID == "m1")
    }

    @Test func overlayStylesAndUncertaintyChangeThePicture() {
        var (driver, state) = start()
        driver.press(" l t", &state)
        let fill = App.view(state)
        driver.press("p", &state)
        #expect(state.predictionStyle == .outline)
        let outline = App.view(state)
        driver.press("pp", &state)
        driver.press("U", &state)
        let uncertainty = App.view(state)
        #expect(fill != outline && outline != uncertainty && fill != uncertainty)
    }

    @Test func probabilityBarsDrawEighths() {
        #expect(SidePanel.bar(0.78, width: 10) == "███████▊  ")
        #expect(SidePanel.bar(1, width: 4) == "████")
        #expect(SidePanel.sparkline([0, 0.5, 1]) == "▁▄█")
    }

    @Test func aTaskWithAModelIsProposedDrawnDottedAndAcceptedWithEnter() {
        var (driver, state) = start()
        driver.press(" l t", &state)
        driver.press("n", &state)
        #expect(state.proposal?.taskID == 7 && state.contextDistance == 1)
        let before = App.view(state)
        state.proposal = nil
        let without = App.view(state)
        #expect(before != without, "the proposal is drawn")
        driver.press("n", &state)
        driver.send(.input(.key(.enter)), to: &state)
        #expect(driver.log.contains { if case .acceptProposal(let p) = $0 { return p.taskID == 7 } else { return false } } && state.proposal == nil)
    }

    @Test func withoutAModelATaskIsJustSubmitted() {
        var (driver, state) = start()
        driver.press("n", &state)
        #expect(state.proposal == nil)
        driver.send(.input(.key(.enter)), to: &state)
        #expect(driver.log.contains(.submitTask(7)))
    }

    @Test func segmentingRunsAsAJobThatTheQueueShowsAndQuitAsksAbout() {
        var (driver, state) = start()
        driver.press("S", &state)
        #expect(state.messageIsError && state.message?.contains("no model yet") == true)
        driver.press(" l t", &state)
        driver.press("S", &state)
        #expect(driver.log.contains(.segment(modelID: "m1")) && state.jobs.first?.isRunning == true)
        #expect(SidePanel(state: state).modelLines().isEmpty == false)
        #expect(App.view(state).text.contains("segment m1 3/8"))
        driver.press("g", &state)
        #expect(App.view(state).text.contains("Jobs (j/k, c stops"))
        driver.press("c", &state)
        #expect(driver.log.contains(.cancelJob(1)))
        driver.send(.input(.key(.escape)), to: &state)
        driver.press("q", &state)
        #expect(!state.quitting && state.message?.contains("q again quits") == true)
        driver.press("q", &state)
        #expect(state.quitting && driver.log.contains(.quit))
    }
}
