import Foundation
import Testing
import TrowelEngine
import TrowelML
import TrowelVolume
@testable import TrowelUI

/// A model whose file is missing or truncated used to show as "none yet: paint both classes" in
/// the viewer; now the viewer says what is wrong with which file and how to get a model back.
@Suite(.serialized) struct BrokenModelTests {
    func session(_ folder: URL) throws -> (AnnotationSession, String) {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let phantom = try FossilPhantom(size: 32, slices: 20)
        var options = VolumeImporter.Options()
        options.chunk = 16
        let (project, _) = try ProjectBuilder(importOptions: options).build(from: phantom, at: folder.appendingPathComponent("p.trowel"))
        _ = try LabelImport(project: project).run(from: SliceFilter(phantom: phantom), file: "truth", mapping: .classIDs)
        let session = try AnnotationSession(project: project, author: "tester")
        var spec = FeatureSpec.basic(sigmaMin: 1, sigmaMax: 2)
        spec.dimensionality = .planar
        var run = TrainingRun(project: project, volume: session.volume, spec: spec, configuration: ForestConfiguration(treeCount: 4))
        run.crossValidates = false
        _ = try run.run()
        let id = try #require(try ModelLibrary(project: project).latestID())
        return (session, id)
    }

    @Test(arguments: ["truncated", "missing"])
    func aBrokenModelFileIsReportedWithAWayOut(_ damage: String) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("trowel-broken-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (session, id) = try session(folder)
        let forest = session.project.url.appendingPathComponent("models/\(id).forest")
        #expect(EffectRunner(session: session, taskSize: 16, palette: []).restoreModels().map {
            if case .modelsLoaded = $0 { return true } else { return false }
        } == true)
        if damage == "missing" {
            try FileManager.default.removeItem(at: forest)
        } else {
            let bytes = try Data(contentsOf: forest)
            try bytes.prefix(bytes.count / 3).write(to: forest)
        }
        let message = EffectRunner(session: session, taskSize: 16, palette: []).restoreModels()
        guard case .failure(let text)? = message else {
            Issue.record("expected a failure message, got \(String(describing: message))")
            return
        }
        #expect(text.contains("model \(id) cannot be read") && text.contains("\(id).forest"), "\(text)")
        #expect(text.contains("press t to train a new model"), "\(text)")
        #expect(!text.contains("\n"))
    }
}
