import Foundation
import GRDB
import Testing
import TrowelML
import TrowelVolume
@testable import TrowelEngine

@Suite(.serialized) struct ModelLibraryTests {
    let parent = FileManager.default.temporaryDirectory.appendingPathComponent("trowel-models-\(UUID().uuidString)")
    let phantom = try! FossilPhantom(size: 40, slices: 24)
    let spec = FeatureSpec.basic(sigmaMin: 1, sigmaMax: 2)

    func makeProject() throws -> Project {
        try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        var options = VolumeImporter.Options()
        options.chunk = 16
        return try ProjectBuilder(importOptions: options).build(from: phantom, at: parent.appendingPathComponent("p.trowel")).0
    }

    /// Imports the phantom's truth on slices 4, 12 and 20 every other voxel, through `LabelImport`.
    func importSparseTruth(into project: Project) throws {
        try LabelImport(project: project).run(from: SparseTruth(phantom: phantom, slices: [4, 12, 20]), file: "sparse", mapping: .classIDs)
    }

    @Test func idIsUTCTimestampAndShortHash() {
        let date = Date(timeIntervalSince1970: 1_795_243_512)   // 2026-11-21 06:45:12 UTC
        #expect(ModelLibrary.makeID(date: date, fingerprint: "3fa9c2d41e007b55") == "20261121T064512Z-3fa9c2")
    }

    @Test func fingerprintFollowsTheExactSamples() {
        let a = LabelledSet(voxels: [Index3(z: 1, y: 2, x: 3), Index3(z: 1, y: 2, x: 4)], labels: [1, 2])
        let b = LabelledSet(voxels: [Index3(z: 1, y: 2, x: 3), Index3(z: 1, y: 2, x: 4)], labels: [1, 1])
        #expect(a.fingerprint == LabelledSet(voxels: a.voxels, labels: a.labels).fingerprint)
        #expect(a.fingerprint != b.fingerprint)
        #expect(a.fingerprint.count == 16 && a.fingerprint.allSatisfy(\.isHexDigit))
    }

    @Test func trainSaveListAndLoadRoundTrip() throws {
        defer { try? FileManager.default.removeItem(at: parent) }
        let project = try makeProject()
        try importSparseTruth(into: project)
        let volume = try MultiscaleVolume.open(at: project.volumeURL)
        let cache = FeatureCache(volume: volume, spec: spec)
        var phases: [String] = []
        let run = TrainingRun(project: project, volume: volume, spec: spec, configuration: ForestConfiguration(treeCount: 10), cache: cache)
        let (forest, record) = try run.run(progress: { phase, _ in if phases.last != phase { phases.append(phase) } })
        #expect(phases == ["labels", "features", "validation", "training", "saving"])
        #expect(record.trainingVoxels == 3 * 40 * 40 / 2)
        #expect(record.countsByClass.values.reduce(0, +) == record.trainingVoxels)
        #expect(record.classes.map(\.name) == ["bone", "matrix"])
        #expect(record.spec == spec && record.configuration.treeCount == 10)
        #expect(record.id.hasSuffix("-" + record.fingerprint.prefix(6)))
        #expect(record.strokeIDs.count == 1)            // the import's row in the stroke log
        let metrics = try #require(record.metrics)       // three slices: cross-validated
        #expect(metrics.evaluatedVoxels == record.trainingVoxels)
        #expect(metrics.perClass[1]!.f1 > 0.5)
        #expect(cache.count == record.trainingVoxels)

        // Checkpoint on disk and in the table; loading gives the same forest and record.
        let library = ModelLibrary(project: project)
        #expect(try library.records() == [record])
        let (loaded, loadedRecord) = try library.load(record.id)
        #expect(loaded == forest)
        #expect(loadedRecord == record)
        #expect(try library.latestID() == record.id)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: library.recordURL(record.id))) as? [String: Any])
        for key in ["features", "forest", "classes", "stroke_ids", "cross_validation", "voxel_size_um", "oob_error_optimistic"] {
            #expect(json[key] != nil, "\(key) missing from the model's JSON")
        }

        // A second run on the same labels reuses every cached feature and gives the same samples hash.
        let again = try TrainingRun(project: project, volume: volume, spec: spec, configuration: ForestConfiguration(treeCount: 10),
                                    cache: cache).run()
        #expect(again.1.fingerprint == record.fingerprint)
        #expect(cache.count == record.trainingVoxels)

        // The predictor labels a slice; the labelled voxels mostly agree with the truth.
        let predictor = Predictor(forest: forest, volume: volume)
        let labels = try predictor.labels(Box.slice(axis: .z, at: 8, of: volume.shape))
        let truth = phantom.truthSlices(8..<9)
        let agree = zip(labels.elements, truth.elements).filter { $0 == $1 }.count
        #expect(Double(agree) / Double(truth.elements.count) > 0.8)
    }

    @Test func unknownAndCorruptModelsGiveClearErrors() throws {
        defer { try? FileManager.default.removeItem(at: parent) }
        let project = try makeProject()
        let library = ModelLibrary(project: project)
        #expect(throws: LearningError.unknownModel("nope", available: 0)) { try library.load("nope") }
        #expect(try library.records().isEmpty)

        // A forest from hand-made samples, saved and then damaged.
        let f = spec.featureCount
        let rows = (0..<40).flatMap { i in (0..<f).map { Float(i % 2) + Float($0) * 0.01 } }
        let samples = try TrainingSamples(featureCount: f, features: rows, labels: (0..<40).map { UInt8(1 + $0 % 2) })
        let forest = try RandomForest.train(on: samples, spec: spec, configuration: ForestConfiguration(treeCount: 3))
        let record = ModelRecord(id: ModelLibrary.makeID(date: Date(timeIntervalSince1970: 1_800_000_000), fingerprint: "abcdef0123456789"),
                                 createdAt: Date(timeIntervalSince1970: 1_800_000_000), spec: spec, configuration: forest.configuration,
                                 classes: forest.classes, trainingVoxels: 40, countsByClass: [1: 20, 2: 20], strokeIDs: [3, 4],
                                 metrics: nil, oobError: forest.oobError, voxelSize: [1, 1, 1])
        try library.save(forest, record: record)
        let (loaded, loadedRecord) = try library.load(record.id)
        #expect(loaded == forest && loadedRecord == record)
        #expect(throws: LearningError.unknownModel("nope", available: 1)) { try library.load("nope") }

        var bytes = try Data(contentsOf: library.forestURL(record.id))
        bytes[bytes.count / 2] ^= 0xff
        try bytes.write(to: library.forestURL(record.id))
        do {
            _ = try library.load(record.id)
            Issue.record("a corrupt model loaded")
        } catch let error as LearningError {
            let text = error.description
            #expect(text.contains(record.id) && text.contains("\(record.id).forest") && !text.contains("\n"))
        }
    }

    @Test func gatheringSkipsUnpaintedChunksAndMarksAcceptedProposals() throws {
        defer { try? FileManager.default.removeItem(at: parent) }
        let project = try makeProject()
        #expect(try LabelledSet.gather(from: project, shape: phantom.shape).isEmpty)
        try importSparseTruth(into: project)
        // Slice 12's labels came from an accepted proposal (the mask beside the labels says so).
        let mask = try ZarrArray.create(at: project.url.appendingPathComponent(LabelStore.proposalsFolderName), shape: phantom.shape,
                                        chunks: .cube(16), dtype: .u8)
        try mask.write(Block<UInt8>(shape: Shape(z: 1, y: phantom.shape.y, x: phantom.shape.x), repeating: 1), at: Index3(z: 12, y: 0, x: 0))
        let set = try LabelledSet.gather(from: project, shape: phantom.shape)
        #expect(Set(set.groups) == [4, 12, 20])
        #expect(zip(set.voxels, set.scored).allSatisfy { v, scored in scored == (v.z != 12) })
        let folds = try #require(CrossValidation.plan(set, gap: 2, sliceGap: 1))
        #expect(folds.allSatisfy { f in f.heldOut.allSatisfy { set.voxels[$0].z != 12 } })
    }

    @Test func trainingNeedsTwoClasses() throws {
        defer { try? FileManager.default.removeItem(at: parent) }
        let project = try makeProject()
        let volume = try MultiscaleVolume.open(at: project.volumeURL)
        let run = TrainingRun(project: project, volume: volume, spec: spec, configuration: ForestConfiguration(treeCount: 2))
        #expect(throws: LearningError.noLabels) { try run.run() }
        let session = try AnnotationSession(project: project, author: "t")
        try session.paint([PaintDab(axis: .z, slice: 3, row: 10, column: 10, radius: 2, value: 1)], newStroke: true)
        try session.labels.endStroke()
        #expect(throws: LearningError.oneClass("bone")) { try run.run() }
        #expect(throws: LearningError.cancelled) {
            try session.paint([PaintDab(axis: .z, slice: 3, row: 30, column: 30, radius: 2, value: 2)], newStroke: true)
            try session.labels.endStroke()
            _ = try run.run(isCancelled: { true })
        }
    }
}
