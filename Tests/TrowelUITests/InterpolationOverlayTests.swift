import Foundation
import Testing
import TrowelEngine
import TrowelVolume
@testable import TrowelUI

/// A bright rod (bone) that slants through a dark matrix, noise-free: what a random walker
/// between two labelled slices recovers exactly.
struct SlantedRod: SliceSource {
    let shape = Shape(z: 20, y: 40, x: 60)
    var dtype: DType { .u8 }
    var summary: String { "slanted rod" }

    func isBone(_ z: Int, _ y: Int, _ x: Int) -> Bool {
        let cx = 18 + 1.6 * Double(z), cy = 20.0
        let dx = Double(x) - cx, dy = Double(y) - cy
        return dx * dx / 81 + dy * dy / 49 < 1
    }

    func readSlices(_ range: Range<Int>) throws -> AnyBlock {
        var b = Block<UInt8>(shape: Shape(z: range.count, y: shape.y, x: shape.x), repeating: 40)
        for z in range { for y in 0..<shape.y { for x in 0..<shape.x where isBone(z, y, x) { b[z - range.lowerBound, y, x] = 200 } } }
        return .u8(b)
    }
}

/// `I` in the viewer with the real engine: the interpolation runs as a background job, writes a
/// segmentation, and its labels overlay the slices between the labelled ones.
@Suite(.serialized) struct InterpolationOverlayTests {
    let rod = SlantedRod()

    /// A project of the rod with its truth painted on `slices`, and a viewer state on it (90×24, 256 colours).
    func open(labelling slices: [Int], in folder: URL) throws -> (AnnotationSession, EffectRunner, AppState) {
        // A fixed id (not interp-<UTC time>) so that the screen is the same in every run.
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var options = VolumeImporter.Options()
        options.chunk = 16
        let (project, _) = try ProjectBuilder(importOptions: options).build(from: rod, at: folder.appendingPathComponent("rod.trowel"))
        let session = try AnnotationSession(project: project, author: "tester")
        for z in slices {
            var dabs: [PaintDab] = []
            for y in 0..<rod.shape.y {
                for x in 0..<rod.shape.x {
                    dabs.append(PaintDab(axis: .z, slice: z, row: y, column: x, radius: 0, value: rod.isBone(z, y, x) ? 1 : 2))
                }
            }
            try session.paint(dabs, newStroke: true)
        }
        try session.labels.endStroke()
        let runner = EffectRunner(session: session, taskSize: 16, palette: [])
        runner.interpolationOptions.id = "interp-rod"
        var state = AppState(scan: ScanInfo(name: "rod.trowel", shape: rod.shape, dtype: .u8, voxelSize: .unit,
                                            levelCount: session.volume.levels.count, values: session.record.values),
                             classes: try runner.classStyles(), screen: (90, 24), colorMode: .palette256)
        _ = runner.dispatch(.tick, to: &state)
        return (session, runner, state)
    }

    func type(_ text: String, _ runner: EffectRunner, _ state: inout AppState) {
        for ch in text { _ = runner.dispatch(.input(.key(.character(ch))), to: &state) }
    }

    /// Feeds the background's messages to the state until the interpolation job ends.
    func waitForTheJob(_ runner: EffectRunner, _ state: inout AppState) {
        let deadline = Date().addingTimeInterval(120)
        while state.interpolation.isRunning && Date() < deadline {
            usleep(20_000)
            for message in runner.drainBackground() { _ = runner.dispatch(message, to: &state) }
        }
    }

    @Test func iFillsTheSlicesBetweenAndOverlaysThem() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("trowel-interp-ui-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        var (session, runner, state) = try open(labelling: [4, 14], in: folder)
        type(":slice 9", runner, &state)
        _ = runner.dispatch(.input(.key(.enter)), to: &state)
        #expect(state.viewport.slice == 9)

        type("I", runner, &state)
        #expect(state.interpolation.isRunning && state.jobs.last?.kind == .interpolation && state.jobs.last?.isRunning == true)
        waitForTheJob(runner, &state)
        let job = try #require(state.jobs.last)
        #expect(job.state == .finished && job.done == job.total && job.total == 5, "\(job)")
        let result = try #require(state.interpolation.result)
        #expect(result.labelledSlices == [4, 14] && result.interpolatedSlices == 9 && result.id == "interp-rod")
        #expect(state.segmentations.contains(result.id), "the segmentation list is refreshed")

        // On disk as `trowel interpolate` writes it, and the overlay is that segmentation's slice 9.
        let store = SegmentationStore(projectURL: session.project.url, id: result.id)
        #expect(store.isComplete && LabelInterpolation.provenance(of: store)?.labelledSlices == [4, 14])
        let stored = try MultiscaleVolume.open(at: store.url).slice(axis: .z, at: 9).converted(to: UInt8.self).elements
        let overlay = try #require(state.interpolation.overlay(axis: .z, index: 9))
        #expect(overlay.labels == stored)
        var both = 0, found = 0, truth = 0
        for y in 0..<rod.shape.y {
            for x in 0..<rod.shape.x {
                let a = overlay.label(row: y, column: x) == 1, b = rod.isBone(9, y, x)
                if a { found += 1 }
                if b { truth += 1 }
                if a && b { both += 1 }
            }
        }
        let dice = 2 * Double(both) / Double(found + truth)
        #expect(dice > 0.95, "bone Dice on the unlabelled slice 9: \(dice)")

        // The screen: the overlay on slice 9, the side panel saying what it shows (in monochrome
        // the overlay's shades show in the text).
        let grid = App.view(state)
        #expect(grid.text.contains("overlay: interpolation") && grid.text.contains("9 slices filled, z 4–14"))
        expectSnapshot(grid.colorDump, named: "screen-interpolation-colors-256")
        state.colorMode = .mono
        expectSnapshot(App.view(state).text, named: "screen-interpolation-mono")
        state.colorMode = .palette256

        // I hides it (the screen changes back), I shows it again without running anything.
        let pixels = SliceView(state: state).pixels(offset: 0, size: state.viewport.size)
        type("I", runner, &state)
        #expect(!state.interpolation.isShown && state.interpolation.overlay(axis: .z, index: 9) == nil)
        #expect(SliceView(state: state).pixels(offset: 0, size: state.viewport.size) != pixels)
        #expect(App.view(state).text.contains("overlay: model (I toggles)"))
        type("I", runner, &state)
        #expect(state.interpolation.isShown && state.jobs.count == 1)

        // On a labelled slice the painted labels are drawn on top of the interpolation.
        type("[[[[[", runner, &state)
        #expect(state.viewport.slice == 4 && state.interpolation.overlay(axis: .z, index: 4) != nil)
        let v = state.viewport
        let corner = v.screen(row: 3.5, column: 3.5)
        let (x, y) = (Int(corner.x), Int(corner.y))
        let on = SliceView(state: state).pixels(offset: 0, size: v.size)[x, y]
        state.showLabels = false
        let under = SliceView(state: state).pixels(offset: 0, size: v.size)[x, y]
        #expect(on == under.blended(with: state.style(ofClass: 2).color, amount: state.labelOpacity), "matrix painted at (3, 3)")
    }

    @Test func labelsOnOneSliceAreNotEnough() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("trowel-interp-ui-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        var (session, runner, state) = try open(labelling: [6], in: folder)
        type("I", runner, &state)
        waitForTheJob(runner, &state)
        #expect(state.messageIsError)
        #expect(state.message == "interpolation needs labels on at least two slices; only slice z 6 is labelled")
        #expect(state.interpolation.result == nil && !state.interpolation.isShown)
        #expect(SegmentationStore.ids(in: session.project.url).isEmpty)
        #expect(App.view(state).text.contains("interpolation needs labels on at least two slices"))
    }
}
