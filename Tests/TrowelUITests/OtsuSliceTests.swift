import Foundation
import Testing
import TrowelEngine
import TrowelVolume
@testable import TrowelUI

/// `O` in the viewer with the real engine: the slice's unlabelled voxels take the class of their
/// side of the slice's Otsu threshold, painted labels stay, and `u` takes the whole pre-fill back.
@Suite(.serialized) struct OtsuSliceTests {
    @Test func oPreFillsTheSliceFromItsOtsuThresholdAndUUndoesIt() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("trowel-otsu-ui-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let rod = SlantedRod()
        // One voxel of slice 9 painted by hand; the rest is left to Otsu.
        let (session, runner, start) = try InterpolationOverlayTests().open(labelling: [], in: folder)
        var state = start
        try session.paint([PaintDab(axis: .z, slice: 9, row: 0, column: 0, radius: 0, value: 2)], newStroke: true)
        try session.labels.endStroke()
        for ch in ":slice 9" { _ = runner.dispatch(.input(.key(.character(ch))), to: &state) }
        _ = runner.dispatch(.input(.key(.enter)), to: &state)
        _ = runner.dispatch(.input(.key(.character("O"))), to: &state)
        #expect(state.message?.contains("Otsu threshold") == true, "\(state.message ?? "")")
        #expect(!state.messageIsError)

        var labels = try session.labels.slice(axis: .z, at: 9)
        for y in 0..<rod.shape.y {
            for x in 0..<rod.shape.x where !(y == 0 && x == 0) {
                #expect(labels[0, y, x] == (rod.isBone(9, y, x) ? 1 : 2))
            }
        }
        #expect(labels[0, 0, 0] == 2)   // the painted voxel is kept
        // Other slices are untouched.
        #expect(try session.labels.slice(axis: .z, at: 8).elements.allSatisfy { $0 == 0 })

        _ = runner.dispatch(.input(.key(.character("u"))), to: &state)
        labels = try session.labels.slice(axis: .z, at: 9)
        #expect(labels.elements.filter { $0 != 0 } == [2])
    }
}
