import Testing
import TrowelVolume
@testable import TrowelUI

@Suite struct ViewportTests {
    let shape = Shape(z: 40, y: 100, x: 200)

    @Test func startsFittedOnTheMiddleSlice() {
        let v = Viewport(volumeShape: shape, size: (100, 60))
        #expect(v.slice == 20)
        #expect(v.zoom == 0.5)
        #expect(v.pyramidLevel(available: 3) == 1)
        // The whole slice is on screen: corners map inside the view.
        let tl = v.screen(row: 0, column: 0), br = v.screen(row: 100, column: 200)
        #expect(tl.x >= 0 && tl.y >= 0 && br.x <= 100 && br.y <= 60)
    }

    @Test func screenAndVoxelMappingsAreInverse() {
        var v = Viewport(volumeShape: shape, size: (120, 80))
        v.zoom(by: 3)
        for (x, y) in [(0, 0), (17, 33), (119, 79)] {
            let p = v.voxel(atScreenX: x, y: y)
            let s = v.screen(row: p.row, column: p.column)
            #expect(abs(s.x - (Double(x) + 0.5)) < 1e-9 && abs(s.y - (Double(y) + 0.5)) < 1e-9)
        }
    }

    @Test func zoomKeepsTheCursorVoxelUnderTheCrosshair() {
        var v = Viewport(volumeShape: shape, size: (120, 80))
        v.zoom(by: 2)
        v.moveCursor(rows: 3, columns: 5)
        let before = v.cursorOnScreen
        v.zoom(by: 1)
        #expect(v.voxelIndex(atScreenX: v.cursorOnScreen.x, y: v.cursorOnScreen.y) == v.cursor)
        #expect(abs(v.cursorOnScreen.x - before.x) <= 1 && abs(v.cursorOnScreen.y - before.y) <= 1)
        v.zoom(by: 10)
        #expect(v.zoom == Viewport.maximumZoom)
        v.zoom(by: -10)
        #expect(v.zoom == v.fitZoom)
    }

    @Test func axisCycleKeepsTheCursorVoxel() {
        var v = Viewport(volumeShape: shape, size: (120, 80))
        v.moveCursor(rows: -7, columns: 31)
        v.step(slices: 5)
        let voxel = v.cursor
        v.cycleAxis()
        #expect(v.axis == .y && v.cursor == voxel && v.slice == voxel.y)
        #expect(v.plane == (40, 200))
        v.cycleAxis()
        v.cycleAxis()
        #expect(v.axis == .z && v.cursor == voxel)
    }

    @Test func cursorAndSlicesStayInsideTheScan() {
        var v = Viewport(volumeShape: shape, size: (120, 80))
        v.moveCursor(rows: -1000, columns: 1000)
        #expect(v.cursor.y == 0 && v.cursor.x == 199)
        v.step(slices: 99)
        #expect(v.slice == 39)
        #expect(v.voxelIndex(atScreenX: -50, y: 0) == nil)
    }

    @Test func keyboardMovesFollowTheCursorWhenZoomedIn() {
        var v = Viewport(volumeShape: shape, size: (60, 40))
        v.zoom(by: 3)
        for _ in 0..<80 { v.moveCursor(rows: 0, columns: 1) }
        let s = v.cursorOnScreen
        #expect(s.x >= 0 && s.x < 60 && s.y >= 0 && s.y < 40)
    }
}
