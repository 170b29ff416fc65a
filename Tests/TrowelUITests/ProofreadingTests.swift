import Foundation
import Testing
import TrowelEngine
import TrowelML
import TrowelVolume
@testable import TrowelUI

/// Proofreading with the real engine: a task gets the model's proposal, Enter accepts it into the
/// labels (marked as proposed, so it never scores a model), and the user's own labels are kept.
@Suite(.serialized) struct ProofreadingTests {
    let parent = FileManager.default.temporaryDirectory.appendingPathComponent("trowel-proofread-\(UUID().uuidString)")

    @Test func aTaskIsPrefilledAndAcceptedWithoutScoringTheModel() throws {
        defer { try? FileManager.default.removeItem(at: parent) }
        try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        let phantom = try FossilPhantom(size: 48, slices: 24)
        var options = VolumeImporter.Options()
        options.chunk = 16
        let (project, _) = try ProjectBuilder(importOptions: options).build(from: phantom, at: parent.appendingPathComponent("p.trowel"))
        let session = try AnnotationSession(project: project, author: "tester")
        // Truth labels on two slices, then a quick model.
        for z in [4, 16] {
            let truth = phantom.truthSlices(z..<(z + 1))
            var dabs: [PaintDab] = []
            for y in Swift.stride(from: 0, to: 48, by: 3) {
                for x in Swift.stride(from: 0, to: 48, by: 3) {
                    dabs.append(PaintDab(axis: .z, slice: z, row: y, column: x, radius: 0, value: truth[0, y, x]))
                }
            }
            try session.paint(dabs, newStroke: true)
        }
        try session.labels.endStroke()
        let runner = EffectRunner(session: session, taskSize: 16, palette: [])
        var state = AppState(scan: ScanInfo(name: "p", shape: phantom.shape, dtype: .u8, voxelSize: .unit, levelCount: 1,
                                            values: ValueSummary(minimum: 0, maximum: 255, mean: 90, low: 10, high: 230)),
                             classes: try runner.classStyles(), screen: (100, 30), colorMode: .palette256)
        _ = runner.dispatch(.tick, to: &state)
        var spec = FeatureSpec.basic(sigmaMin: 1, sigmaMax: 4)
        spec.dimensionality = .planar
        var run = TrainingRun(project: project, volume: session.volume, spec: spec, configuration: ForestConfiguration(treeCount: 10))
        run.crossValidates = false
        let (forest, record) = try run.run()
        runner.previewer.use(forest, id: record.id)
        _ = runner.dispatch(.modelTrained(ModelSummary(record)), to: &state)

        // n: a task on the most uncertain of a few patches, with the model's proposal.
        _ = runner.dispatch(.input(.key(.character("n"))), to: &state)
        let task = try #require(state.task)
        let proposal = try #require(state.proposal)
        #expect(proposal.taskID == task.id && proposal.labels.count == task.rows.count * task.columns.count)
        #expect(proposal.labels.allSatisfy { $0 == 1 || $0 == 2 })
        // The user corrects one voxel, then accepts.
        let (ra, ca) = task.axis.planeAxes
        var corner = Index3.zero
        corner[task.axis] = task.slice
        corner[ra] = task.rows.lowerBound
        corner[ca] = task.columns.lowerBound
        try session.paint([PaintDab(axis: task.axis, slice: task.slice, row: corner[ra], column: corner[ca], radius: 0, value: 1)],
                          newStroke: true)
        try session.labels.endStroke()
        _ = runner.dispatch(.input(.key(.enter)), to: &state)
        #expect(state.proposal == nil)
        #expect(state.tasks.first { $0.id == task.id }?.submitted == true)
        let labels = try session.labels.slice(axis: task.axis, at: task.slice)
        let plane = session.volume.shape.plane(across: task.axis)
        var inPatch = 0
        for r in task.rows { for c in task.columns where labels.elements[r * plane.columns + c] != 0 { inPatch += 1 } }
        #expect(inPatch == task.rows.count * task.columns.count, "the whole patch is labelled")
        // Scoring sees only the user's voxels: the two truth slices and the corrected corner.
        let set = try LabelledSet.gather(from: project, shape: session.volume.shape)
        let scoredInPatch = zip(set.voxels, set.scored).filter { v, scored in
            scored && v[task.axis] == task.slice && task.rows.contains(v[ra]) && task.columns.contains(v[ca])
        }.count
        let userBefore = (task.axis == .z && (task.slice == 4 || task.slice == 16)) ? 1 : 0
        #expect(scoredInPatch >= 1 && (userBefore == 1 || scoredInPatch == 1))

        // S: the whole scan is segmented in the background; the queue follows it to the end.
        _ = runner.dispatch(.input(.key(.character("S"))), to: &state)
        let deadline = Date().addingTimeInterval(120)
        while !(state.jobs.first.map { !$0.isRunning } ?? false) && Date() < deadline {
            usleep(50_000)
            for message in runner.drainBackground() { _ = runner.dispatch(message, to: &state) }
        }
        let job = try #require(state.jobs.first)
        #expect(job.state == .finished && job.done == job.total && job.total > 0, "\(job)")
        let store = SegmentationStore(projectURL: project.url, id: record.id)
        #expect(store.isComplete)
        let logged = try JobLog(project: project).all()
        #expect(logged.count == 1 && logged[0].state == .finished && logged[0].blocksDone == logged[0].blocksTotal)
        let segmented = try MultiscaleVolume.open(at: store.url)
        #expect(segmented.shape == phantom.shape)

        // R reviews the finished segmentation: its labels become the overlay, slice by slice.
        #expect(state.segmentations == [record.id], "the finished job lists the segmentation")
        _ = runner.dispatch(.input(.key(.character("R"))), to: &state)
        #expect(state.reviewedSegmentation == record.id)
        let overlay = try #require(state.prediction)
        #expect(overlay.modelID == "segmentation \(record.id)" && overlay.index == state.viewport.slice)
        let stored = try segmented.slice(axis: state.viewport.axis, at: state.viewport.slice).converted(to: UInt8.self).elements
        #expect(overlay.labels == stored)
        for ch in ":worst" { _ = runner.dispatch(.input(.key(.character(ch))), to: &state) }
        _ = runner.dispatch(.input(.key(.enter)), to: &state)
        #expect(state.messageIsError && state.message?.contains("without probabilities") == true)
        _ = runner.dispatch(.input(.key(.character("R"))), to: &state)
        #expect(state.reviewedSegmentation == nil)
    }

    @Test func reviewingASegmentationWithProbabilitiesFindsTheWorstSlice() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("trowel-review-\(UUID().uuidString)")
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
        let (forest, _) = try run.run()
        var job = SegmentationJob.Options()
        job.probabilities = true
        job.workers = 1
        _ = try SegmentationJob(projectURL: project.url, id: "scored", forest: forest, volume: session.volume, options: job).run()

        let runner = EffectRunner(session: session, taskSize: 16, palette: [])
        var state = AppState(scan: ScanInfo(name: "p", shape: phantom.shape, dtype: .u8, voxelSize: .unit, levelCount: 1,
                                            values: ValueSummary(minimum: 0, maximum: 255, mean: 90, low: 10, high: 230)),
                             classes: try runner.classStyles(), screen: (100, 30), colorMode: .palette256)
        _ = runner.dispatch(.tick, to: &state)
        for message in runner.perform(.listSegmentations, state: state) { _ = runner.dispatch(message, to: &state) }
        #expect(state.segmentations == ["scored"])
        for ch in ":seg scored" { _ = runner.dispatch(.input(.key(.character(ch))), to: &state) }
        _ = runner.dispatch(.input(.key(.enter)), to: &state)
        #expect(state.reviewedSegmentation == "scored")
        for ch in ":worst" { _ = runner.dispatch(.input(.key(.character(ch))), to: &state) }
        _ = runner.dispatch(.input(.key(.enter)), to: &state)
        #expect(!state.messageIsError && state.message?.contains("most uncertain") == true, "\(state.message ?? "")")
        #expect(state.prediction?.index == state.viewport.slice && state.prediction?.classIDs == [1, 2])
        let v = state.viewport
        let (vr, vc) = v.axis.planeAxes
        #expect(state.prediction?.probabilities(row: v.cursor[vr], column: v.cursor[vc])?.count == 2, "probability bars for review")
    }
}

/// The phantom's truth on slices 4 and 16, every third voxel in each direction.
struct SliceFilter: SliceSource {
    let phantom: FossilPhantom
    var shape: Shape { phantom.shape }
    var dtype: DType { .u8 }
    var summary: String { "sparse truth" }
    func readSlices(_ range: Range<Int>) throws -> AnyBlock {
        var b = phantom.truthSlices(range)
        for i in b.elements.indices {
            let z = range.lowerBound + i / (shape.y * shape.x), y = (i / shape.x) % shape.y, x = i % shape.x
            if ![4, 16].contains(z) || y % 3 != 0 || x % 3 != 0 { b.elements[i] = 0 }
        }
        return .u8(b)
    }
}
