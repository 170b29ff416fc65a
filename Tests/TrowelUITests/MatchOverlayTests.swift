import Foundation
import Testing
import TrowelEngine
import TrowelML
import TrowelVolume
@testable import TrowelUI

/// `:match FILE` in the viewer with the real engine: the search runs in the background, the view
/// goes to the best slice and the image's footprint is outlined there.
@Suite(.serialized) struct MatchOverlayTests {
    @Test func matchGoesToTheSliceAndOutlinesTheImage() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("trowel-match-ui-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var options = VolumeImporter.Options()
        options.chunk = 16
        options.pyramidMinimumSide = 16
        let phantom = try FossilPhantom(size: 40, seed: 5)
        let (project, _) = try ProjectBuilder(importOptions: options).build(from: phantom, at: folder.appendingPathComponent("f.trowel"))
        let session = try AnnotationSession(project: project, author: "tester")
        // The image: slice y 27 turned 30° and shrunk to 0.9, written as an 8-bit PNG.
        let slice = GreyPlane(height: 40, width: 40, values: try session.volume.slice(axis: .y, at: 27).converted(to: Float.self).elements)
        // Cut to 34×34 pixels: the footprint (37.8 voxels a side) lies within the view.
        let size = (height: 34, width: 34)
        let mean = slice.values.reduce(0, +) / Float(slice.count)
        let image = slice.section(at: SectionPose(angle: 30, scale: 0.9, offset: (0, 0)), height: size.height, width: size.width, fill: mean)
        let file = folder.appendingPathComponent("section.png")
        try PNGWriter().write(slice: 0, of: AnyBlock(Block(shape: Shape(z: 1, y: size.height, x: size.width),
                                                           elements: image.values.map { UInt8(max(0, min(255, $0.rounded()))) })), to: file)

        let runner = EffectRunner(session: session, taskSize: 16, palette: [])
        var state = AppState(scan: ScanInfo(name: "f.trowel", shape: phantom.shape, dtype: .u8, voxelSize: .unit,
                                            levelCount: session.volume.levels.count, values: session.record.values),
                             classes: try runner.classStyles(), screen: (90, 30), colorMode: .mono)
        _ = runner.dispatch(.tick, to: &state)
        for ch in ":match \(file.path)" { _ = runner.dispatch(.input(.key(.character(ch))), to: &state) }
        _ = runner.dispatch(.input(.key(.enter)), to: &state)
        #expect(state.match.running == file.path)
        let deadline = Date().addingTimeInterval(120)
        while state.match.running != nil && Date() < deadline {
            usleep(20_000)
            for message in runner.drainBackground() { _ = runner.dispatch(message, to: &state) }
        }
        let found = try #require(state.match.result, "\(state.message ?? "")")
        #expect(found.axis == .y && Swift.abs(found.slice - 27) <= 1, "\(found)")
        #expect(state.viewport.axis == .y && state.viewport.slice == found.slice)
        let corners = try #require(state.match.footprint(axis: .y, index: found.slice, plane: (40, 40)))
        #expect(corners.count == 4)
        #expect(state.message?.contains("y slice \(found.slice)") ?? false, "\(state.message ?? "")")
        // The outline is drawn (the pixels differ from the same state with it hidden).
        let shown = SliceView(state: state).pixels(offset: 0, size: state.viewport.size)
        for message in runner.drainBackground() { _ = runner.dispatch(message, to: &state) }
        // The status line names the file by its (random) temporary path: the snapshot shows a fixed one.
        state.message = state.message?.replacingOccurrences(of: folder.path, with: "/tmp/match")
        expectSnapshot(App.view(state).text, named: "screen-match-mono")
        for ch in ":match off" { _ = runner.dispatch(.input(.key(.character(ch))), to: &state) }
        _ = runner.dispatch(.input(.key(.enter)), to: &state)
        #expect(!state.match.isShown && state.match.footprint(axis: .y, index: found.slice, plane: (40, 40)) == nil)
        let hidden = SliceView(state: state).pixels(offset: 0, size: state.viewport.size)
        let accent = state.theme.accent
        #expect(shown.pixels.filter { $0 == accent }.count > hidden.pixels.filter { $0 == accent }.count)

        // A file that is not an image: one line naming it.
        for ch in ":match \(folder.path)/nothing.png" { _ = runner.dispatch(.input(.key(.character(ch))), to: &state) }
        _ = runner.dispatch(.input(.key(.enter)), to: &state)
        let until = Date().addingTimeInterval(30)
        while state.match.running != nil && Date() < until {
            usleep(20_000)
            for message in runner.drainBackground() { _ = runner.dispatch(message, to: &state) }
        }
        #expect(state.messageIsError && (state.message?.contains("nothing.png") ?? false), "\(state.message ?? "")")
    }
}
