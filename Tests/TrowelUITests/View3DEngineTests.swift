import Foundation
import Testing
import TrowelEngine
import TrowelML
import TrowelVolume
@testable import TrowelUI

/// The 3D view with the real engine: frames are cast on a background worker (the key returns at
/// once, the frame arrives through the inbox), and the surfaces are the model's live prediction of
/// the class in use or a finished segmentation, not only the painted labels.
@Suite(.serialized) struct View3DEngineTests {
    /// Drains the runner's inbox into the state until `done` holds (or 60 s pass).
    func wait(_ runner: EffectRunner, _ state: inout AppState, until done: (AppState) -> Bool) {
        let deadline = Date().addingTimeInterval(60)
        while !done(state) && Date() < deadline {
            for message in runner.drainBackground() { _ = runner.dispatch(message, to: &state) }
            usleep(20_000)
        }
    }

    /// Pixels of the frame in the bone colour's hue (shaded: any brightness), of all pixels.
    static func boneShare(_ image: PixelImage, bone: RGB) -> Double {
        let shaded = image.pixels.filter { p in
            guard p.r > 20, p != RGB(grey: p.r) else { return false }
            // Shading scales the colour towards black: the channel ratios stay.
            let k = Double(p.r) / Double(bone.r)
            return abs(Double(p.g) - k * Double(bone.g)) < 6 && abs(Double(p.b) - k * Double(bone.b)) < 6
        }
        return Double(shaded.count) / Double(image.pixels.count)
    }

    @Test func thePredictionOfTheClassInUseIsShadedAndFramesComeFromTheBackground() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("trowel-3d-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let phantom = try FossilPhantom(size: 48, slices: 24)
        var options = VolumeImporter.Options()
        options.chunk = 16
        let (project, _) = try ProjectBuilder(importOptions: options).build(from: phantom, at: folder.appendingPathComponent("p.trowel"))
        _ = try LabelImport(project: project).run(from: SliceFilter(phantom: phantom), file: "truth", mapping: .classIDs)
        let session = try AnnotationSession(project: project, author: "tester")
        var spec = FeatureSpec.basic(sigmaMin: 1, sigmaMax: 4)
        spec.dimensionality = .planar
        var run = TrainingRun(project: project, volume: session.volume, spec: spec, configuration: ForestConfiguration(treeCount: 10))
        run.crossValidates = false
        let (forest, record) = try run.run()
        var job = SegmentationJob.Options()
        job.workers = 1
        _ = try SegmentationJob(projectURL: project.url, id: "whole", forest: forest, volume: session.volume, options: job).run()

        let runner = EffectRunner(session: session, taskSize: 16, palette: [])
        var state = AppState(scan: ScanInfo(name: "p", shape: phantom.shape, dtype: .u8, voxelSize: .unit, levelCount: 1,
                                            values: ValueSummary(minimum: 0, maximum: 255, mean: 90, low: 10, high: 230)),
                             classes: try runner.classStyles(), screen: (100, 30), colorMode: .truecolor)
        _ = runner.dispatch(.tick, to: &state)
        runner.previewer.use(forest, id: record.id)
        _ = runner.dispatch(.modelTrained(ModelSummary(record)), to: &state)
        let bone = state.style(ofClass: 1).color
        #expect(state.activeClass == 1)

        // D: the prediction of class 1; the key returns before any frame exists.
        _ = runner.dispatch(.input(.key(.character("D"))), to: &state)
        #expect(state.view3D?.surface == .prediction(modelID: record.id, classID: 1))
        #expect(state.view3D?.frame == nil && state.view3D?.pending != nil)
        wait(runner, &state) { $0.view3D?.frame?.surfaceShown == true }
        let predicted = try #require(state.view3D?.frame)
        #expect(predicted.surfaceShown && predicted.request.surface == .prediction(modelID: record.id, classID: 1))
        let predictedBone = Self.boneShare(predicted.image, bone: bone)
        #expect(predictedBone > 0.02, "bone covers \(predictedBone) of the frame")

        // s: the painted labels (two sparse slices) show far less bone than the prediction.
        _ = runner.dispatch(.input(.key(.character("s"))), to: &state)
        #expect(state.view3D?.surface == .labels)
        wait(runner, &state) { $0.view3D?.frame?.request.surface == .labels }
        let painted = try #require(state.view3D?.frame)
        #expect(Self.boneShare(painted.image, bone: bone) < predictedBone / 2)
        _ = runner.dispatch(.input(.key(.character("D"))), to: &state)

        // A segmentation under review comes first when the view opens.
        for message in runner.perform(.listSegmentations, state: state) { _ = runner.dispatch(message, to: &state) }
        for ch in ":seg whole" { _ = runner.dispatch(.input(.key(.character(ch))), to: &state) }
        _ = runner.dispatch(.input(.key(.enter)), to: &state)
        #expect(state.reviewedSegmentation == "whole")
        _ = runner.dispatch(.input(.key(.character("D"))), to: &state)
        #expect(state.view3D?.surface == .segmentation(id: "whole", classID: 1))
        wait(runner, &state) { $0.view3D?.frame?.surfaceShown == true && $0.view3D?.frame?.request.surface == .segmentation(id: "whole", classID: 1) }
        let segmented = try #require(state.view3D?.frame)
        // The segmentation was made by the same model at full resolution: it looks like the prediction.
        let segmentedBone = Self.boneShare(segmented.image, bone: bone)
        #expect(abs(segmentedBone - predictedBone) < 0.5 * predictedBone, "segmentation \(segmentedBone), prediction \(predictedBone)")
    }

    @Test func paintedLabelsArePooledOntoTheViewsLevelFromTheChunksThatExist() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("trowel-3d-pool-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let phantom = try FossilPhantom(size: 64, slices: 24)
        var options = VolumeImporter.Options()
        options.chunk = 16
        options.pyramidMinimumSide = 16
        let (project, _) = try ProjectBuilder(importOptions: options).build(from: phantom, at: folder.appendingPathComponent("p.trowel"))
        let session = try AnnotationSession(project: project, author: "tester")
        try session.paint([PaintDab(axis: .z, slice: 3, row: 5, column: 60, radius: 2, value: 1),
                           PaintDab(axis: .z, slice: 20, row: 40, column: 7, radius: 1, value: 2)], newStroke: true)
        try session.labels.endStroke()
        try #require(session.volume.levels.count > 1, "one pyramid level only")
        let level = 1, shape = session.volume.levels[level].shape
        let pooled = try session.labels.pooled(level: level, shape: shape)
        // The same from every whole slice, as the view did before.
        var expected = [UInt8](repeating: 0, count: shape.voxelCount)
        let full = session.volume.shape
        for z in 0..<full.z {
            let slice = try session.labels.slice(axis: .z, at: z)
            for y in 0..<full.y {
                for x in 0..<full.x where slice[0, y, x] != 0 {
                    expected[shape.offset(z: min(shape.z - 1, z >> level), y: min(shape.y - 1, y >> level), x: min(shape.x - 1, x >> level))] = slice[0, y, x]
                }
            }
        }
        #expect(pooled == expected)
        #expect(pooled.contains(1) && pooled.contains(2))
    }

    @Test func aFrameWithoutItsSurfaceIsReplacedWhenTheSurfaceArrivesAndStaleFramesAreDropped() {
        var state = AppState(scan: ScanInfo(name: "p", shape: .cube(8), dtype: .u8, voxelSize: .unit, levelCount: 1,
                                            values: ValueSummary(minimum: 0, maximum: 255, mean: 90, low: 10, high: 230)),
                             classes: [], screen: (100, 30), colorMode: .truecolor)
        var view = View3DState()
        let request = View3DRequest(camera: Camera3D(), width: 4, height: 4, step: 1, window: state.contrast, generation: 1,
                                    surface: .prediction(modelID: "m", classID: 1))
        view.pending = request
        state.view3D = view
        let bare = Rendered3D(request: request, image: PixelImage(width: 4, height: 4), voxels: Array(repeating: nil, count: 16), surfaceShown: false)
        _ = App.update(&state, .rendered3D(bare))
        #expect(state.view3D?.frame == bare)
        var full = bare
        full.surfaceShown = true
        full.image = PixelImage(width: 4, height: 4, fill: .white)
        _ = App.update(&state, .rendered3D(full))
        #expect(state.view3D?.frame == full)
        // A frame for a request no longer wanted (the camera moved on) is not shown.
        var stale = full
        stale.request.camera.yaw += 1
        _ = App.update(&state, .rendered3D(stale))
        #expect(state.view3D?.frame == full)
    }
}
