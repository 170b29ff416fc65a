import Testing
import TrowelEngine
import TrowelVolume
@testable import TrowelUI

/// The 3D view: ray casting against hand-made volumes, and `D`, the arrows, `+ -`, Enter and a
/// click in the viewer.
@Suite struct View3DTests {
    static let classes = [ClassStyle(id: 1, name: "bone", color: RGB(232, 196, 104)), ClassStyle(id: 2, name: "matrix", color: RGB(79, 134, 198))]
    static let ramp = (0..<256).map { RGB(grey: UInt8($0)) }

    /// A dark 24³ cube with one bright voxel and, optionally, a labelled 6³ block.
    static func volume(labelled: Bool) -> RenderVolume {
        let shape = Shape.cube(24)
        var values = [Float](repeating: 10, count: shape.voxelCount)
        values[shape.offset(z: 3, y: 12, x: 12)] = 200
        var labels = [UInt8](repeating: 0, count: shape.voxelCount)
        if labelled {
            for z in 9..<15 { for y in 9..<15 { for x in 9..<15 { labels[shape.offset(z: z, y: y, x: x)] = 2 } } }
        }
        return RenderVolume(shape: shape, level: 0, values: values, labels: labels)
    }

    @Test func aMaximumIntensityProjectionFindsTheBrightVoxelThroughTheDepth() {
        // Looking straight down z: the ray through the middle crosses (z, 12, 12) for every z.
        let r = VolumeRenderer.render(Self.volume(labelled: false), camera: Camera3D(yaw: 0, pitch: 0), width: 41, height: 41,
                                      window: (0, 200), classColors: [:], ramp: Self.ramp, background: RGB(1, 2, 3))
        let shape = Shape.cube(24)
        #expect(r.voxels[20 * 41 + 20] == Int32(shape.offset(z: 3, y: 12, x: 12)))
        #expect(r.image[20, 20] == RGB(grey: 255))
        #expect(r.image[20, 12] == RGB(grey: 12))   // 10 of 200 → 12.75 → grey 12
        #expect(r.image[0, 0] == RGB(1, 2, 3))      // the corner ray misses the cube (its diagonal fits the view)
    }

    @Test func labelledVoxelsAreShadedSurfacesInFrontOfTheProjection() {
        let colors = [2: RGB(100, 200, 50)]
        let front = VolumeRenderer.render(Self.volume(labelled: true), camera: Camera3D(yaw: 0, pitch: 0), width: 41, height: 41,
                                          window: (0, 200), classColors: colors, ramp: Self.ramp, background: .black)
        // The middle ray meets the block's face z = 9 head on: full colour, and that voxel.
        #expect(front.image[20, 20] == RGB(100, 200, 50))
        #expect(front.voxels[20 * 41 + 20] == Int32(Shape.cube(24).offset(z: 9, y: 12, x: 12)))
        // Turned, the faces are lit less than head-on; the block still hides the bright voxel behind it.
        let turned = VolumeRenderer.render(Self.volume(labelled: true), camera: Camera3D(yaw: 0.7, pitch: -0.5), width: 41, height: 41,
                                           window: (0, 200), classColors: colors, ramp: Self.ramp, background: .black)
        let centre = turned.image[20, 20]
        #expect(centre != RGB(100, 200, 50) && centre.g > centre.r && centre.g > centre.b)
        // A coarse frame (step 2) shows the same block.
        let coarse = VolumeRenderer.render(Self.volume(labelled: true), camera: Camera3D(yaw: 0, pitch: 0), width: 41, height: 41,
                                           step: 2, window: (0, 200), classColors: colors, ramp: Self.ramp, background: .black)
        #expect(coarse.image[20, 20].g > 150)
    }

    func start() -> (FakeDriver, AppState) {
        var driver = FakeDriver(shape: Shape(z: 20, y: 40, x: 60))
        var state = AppState(scan: driver.scan, classes: Self.classes, screen: (100, 30), colorMode: .truecolor)
        driver.send(.tick, to: &state)
        return (driver, state)
    }

    @Test func dOpensTheViewArrowsTurnItCoarseThenFullAndEnterJumps() throws {
        var (driver, state) = start()
        driver.press("D", &state)
        let first = try #require(state.view3D?.frame)
        #expect(first.request.step == 1 && first.image.width <= App.view3DMaximumSide)
        let grid = App.view(state)
        #expect(grid.text.contains("3D view"))
        // The pane shows the 3D frame, not the slice.
        var shown = state
        shown.view3D = nil
        #expect(App.view(shown) != grid)
        driver.send(.input(.key(.right)), to: &state)
        let turned = try #require(state.view3D?.frame)
        #expect(turned.request.camera.yaw > first.request.camera.yaw && turned.request.step == 2)
        #expect(state.viewport.cursor == shown.viewport.cursor)   // arrows turn the view, not the cursor
        driver.send(.tick, to: &state)
        #expect(state.view3D?.frame?.request.step == 1)
        driver.press("+", &state)
        #expect(state.view3D!.camera.zoom > 1)
        driver.send(.input(.key(.enter)), to: &state)
        #expect(state.view3D == nil)
        let expected = try #require(state.viewport.cursor as Index3?)
        #expect(state.message?.contains("jumped to z \(expected.z)") == true, "\(state.message ?? "")")
    }

    @Test func aClickOnTheViewJumpsToThePaintedVoxelUnderIt() throws {
        var (driver, state) = start()
        // Paint a disc on slice 10, then look straight down z at it.
        driver.press(" ", &state)
        driver.press(" ", &state)
        let painted = state.viewport.cursor
        driver.press("D", &state)
        state.view3D?.camera = Camera3D(yaw: 0, pitch: 0)
        driver.send(.tick, to: &state)
        let frame = try #require(state.view3D?.frame)
        #expect(frame.request.camera.yaw == 0)
        // The frame's middle shows the painted voxel's column of the scan.
        let layout = state.layout
        let pane = layout.panes[0].columns
        let column = pane.lowerBound + pane.count / 2, row = layout.imageTopRow + layout.imageRows / 2
        driver.send(.input(.mouse(MouseEvent(button: .left, action: .press, column: column, row: row))), to: &state)
        #expect(state.view3D == nil)
        #expect(abs(state.viewport.cursor.x - painted.x) <= 2 && abs(state.viewport.cursor.y - painted.y) <= 2)
        #expect(state.viewport.cursor.z == painted.z)
    }
}
