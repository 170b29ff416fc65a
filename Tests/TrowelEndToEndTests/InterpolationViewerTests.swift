import Foundation
import Testing
import TrowelEngine
import TrowelVolume

/// Label interpolation from the viewer, in a real terminal: `I` refuses labels on one slice in one
/// line, then with two labelled slices fills the slices between in the background and overlays them.
@Suite(.serialized) struct InterpolationViewerTests {
    @Test func iFillsTheSlicesBetweenTwoLabelledSlicesAndOverlaysThem() throws {
        let scratch = try Scratch()
        let tmux = Tmux()
        defer {
            tmux.kill()
            scratch.remove()
        }
        let viewer = ViewerTests()
        let project = try viewer.prepare(scratch)
        try viewer.launch(tmux, project, scratch)
        // Bone at the centre (the sample's central bone), matrix far to the left.
        func paintBothClasses() throws {
            try tmux.keys("1", "Space", "l", "l", "Space")
            try tmux.literal(String(repeating: "h", count: 40))
            try tmux.keys("2", "Space", "j", "j", "Space")
            try tmux.literal(String(repeating: "l", count: 38))
        }
        try paintBothClasses()
        try tmux.wait(for: "undo u")
        try tmux.keys("I")
        // The queue keeps the refusal whatever the status bar says later (the model trains meanwhile).
        try tmux.keys("g")
        try tmux.wait(for: "needs labels on at least two slices", seconds: 60)
        try tmux.keys("Escape")

        // Slice 92 too, then I: the 11 slices between are filled and overlaid.
        try tmux.literal("}]]")
        try tmux.wait(for: "XY slice z 92 of 160")
        try paintBothClasses()
        try tmux.keys("I")
        try tmux.wait(for: "overlay: interpolation (I)", seconds: 300)
        let filled = try tmux.screen()
        #expect(filled.contains("11 slices filled, z 80–92"), "\(filled)")

        // On a slice between them the overlay is drawn: with the model's overlay off (p: fill →
        // outline → off), I switches it off and the slice's colours change.
        try tmux.literal("{pp")
        try tmux.wait(for: "XY slice z 82 of 160")
        usleep(500_000)
        let with = try tmux.screen(colors: true)
        try tmux.keys("I")
        try tmux.wait(for: "overlay: model (I toggles)")
        usleep(500_000)
        let without = try tmux.screen(colors: true)
        // The slice pane only: the rows between title and status bar, left of the side panel's border.
        func pane(_ screen: String) -> [Substring] {
            screen.split(separator: "\n", omittingEmptySubsequences: false).dropFirst().dropLast(2)
                .map { $0.split(separator: "│", maxSplits: 1, omittingEmptySubsequences: false).first ?? "" }
        }
        let rows = pane(with), changed = rows != pane(without)
        #expect(rows.count > 20 && rows.allSatisfy { $0.contains("▀") }, "\(with)")
        #expect(changed, "the interpolation overlay changes the slice's colours")
        try tmux.keys("q")
        try tmux.wait(forFile: scratch("status"))
        #expect(try String(contentsOf: scratch("status"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) == "0")

        // Written as `trowel interpolate` writes it: the commands that read segmentations find it.
        let ids = SegmentationStore.ids(in: project).filter { $0.hasPrefix("interp-") }
        #expect(ids.count == 1, "\(ids)")
        let store = SegmentationStore(projectURL: project, id: try #require(ids.first))
        #expect(store.isComplete && LabelInterpolation.provenance(of: store)?.labelledSlices == [80, 92])
        let seg = try MultiscaleVolume.open(at: store.url).slice(axis: .z, at: 86).converted(to: UInt8.self).elements
        #expect(seg.contains(1) && seg.contains(2), "slice 86, between the labelled ones, has both classes")
    }
}
