import Foundation
import Testing
import TrowelEngine
import TrowelVolume
@testable import TrowelUI

/// The taxon panel (`i`, `:identify FILE`): its own state, its screen, and the real identifier.
@Suite(.serialized) struct IdentifyPanelTests {
    let classes = [ClassStyle(id: 1, name: "bone", color: RGB(232, 196, 104)), ClassStyle(id: 2, name: "matrix", color: RGB(79, 134, 198))]
    typealias Ranked = TaxonIdentifier.Prediction.Ranked

    @Test func panelShowsRankedBarsForTheSliceAndTheSpecimen() {
        var driver = FakeDriver(shape: Shape(z: 20, y: 40, x: 60))
        var state = AppState(scan: driver.scan, classes: classes, screen: (100, 40), colorMode: .palette256)
        driver.send(.tick, to: &state)
        // No model yet: the key says how to get one.
        driver.press("i", &state)
        #expect(state.identify.isShown && state.messageIsError && state.message?.contains(":identify FILE") == true)
        #expect(driver.log.allSatisfy { if case .identifySlice = $0 { return false } else { return true } })
        driver.send(.identify(.modelLoaded(TaxonModelInfo(file: "taxa.model", taxa: ["biserial", "globular", "milioline", "planispiral",
                                                                                      "trochospiral", "uniserial"],
                                                          axes: ["z"], specimenAccuracy: 0.917))), to: &state)
        // The slice in view is asked for once; its answer and the specimen's progress fill the bars.
        #expect(state.identify.pending?.index == 10)
        #expect(driver.log.filter { $0 == .identifySlice(axis: .z, index: 10) }.count == 1)
        driver.send(.tick, to: &state)
        #expect(driver.log.filter { $0 == .identifySlice(axis: .z, index: 10) }.count == 1)
        let slice = [Ranked(taxon: "planispiral", probability: 0.62), Ranked(taxon: "trochospiral", probability: 0.21),
                     Ranked(taxon: "biserial", probability: 0.09), Ranked(taxon: "uniserial", probability: 0.05),
                     Ranked(taxon: "globular", probability: 0.02), Ranked(taxon: "milioline", probability: 0.01)]
        driver.send(.identify(.sliceIdentified(SliceTaxa(axis: .z, index: 10, ranked: slice))), to: &state)
        driver.send(.identify(.specimenProgress(SpecimenTaxa(ranked: [Ranked(taxon: "planispiral", probability: 0.81),
                                                                       Ranked(taxon: "trochospiral", probability: 0.12),
                                                                       Ranked(taxon: "biserial", probability: 0.07)],
                                                              slicesUsed: 9, slicesDone: 12, slicesTotal: 20))), to: &state)
        #expect(state.identify.pending == nil)
        let grid = App.view(state)
        #expect(grid.text.contains("slice z 10") && grid.text.contains("specimen 12/20 read"))
        expectSnapshot(grid.text, named: "screen-identify-256")

        // Stepping on asks for the next slice; its bars wait ("…") until it is answered.
        driver.press("]", &state)
        #expect(driver.log.last(where: { if case .identifySlice = $0 { return true } else { return false } }) == .identifySlice(axis: .z, index: 11))
        #expect(App.view(state).text.contains("slice z 11"))
        driver.send(.identify(.sliceIdentified(SliceTaxa(axis: .z, index: 11, ranked: nil))), to: &state)
        #expect(App.view(state).text.contains("too little fossil"))
        driver.press("i", &state)
        #expect(!state.identify.isShown && !App.view(state).text.contains("taxon (i)"))
    }

    /// A catalogue of `perTaxon` generated specimens (side 24) of globular and uniserial in `folder`.
    func catalogue(in folder: URL, perTaxon: Int) throws -> URL {
        var options = VolumeImporter.Options()
        options.chunk = 16
        var csv = "project,taxon\n", seed: UInt64 = 1
        for plan in [SpecimenPhantom.Plan.globular, .uniserial] {
            for i in 0..<perTaxon {
                let name = "\(plan.rawValue)-\(i).trowel"
                _ = try ProjectBuilder(importOptions: options).build(from: SpecimenScan(SpecimenPhantom(plan: plan, side: 24, seed: seed)),
                                                                     at: folder.appendingPathComponent(name))
                seed += 1
                csv += "\(name),\(plan.rawValue)\n"
            }
        }
        let file = folder.appendingPathComponent("catalogue.csv")
        try csv.write(to: file, atomically: true, encoding: .utf8)
        return file
    }

    @Test func identifyFileRunsTheRealIdentifierAndTheProjectRemembersIt() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("trowel-identify-ui-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = try TaxonIdentifier().train(try TaxonCatalogue(contentsOf: try catalogue(in: folder, perTaxon: 3)))
        let file = folder.appendingPathComponent("taxa.model")
        try model.write(to: file)

        // A new uniserial specimen, opened in the viewer.
        var options = VolumeImporter.Options()
        options.chunk = 16
        let (project, _) = try ProjectBuilder(importOptions: options).build(from: SpecimenScan(SpecimenPhantom(plan: .uniserial, side: 24, seed: 77)),
                                                                            at: folder.appendingPathComponent("new.trowel"))
        let session = try AnnotationSession(project: project, author: "tester")
        let runner = EffectRunner(session: session, taskSize: 16, palette: [])
        #expect(runner.restoreTaxonModel().map { _ in true } == nil)
        var state = AppState(scan: ScanInfo(name: "new.trowel", shape: Shape(z: 24, y: 24, x: 24), dtype: .u8, voxelSize: .unit,
                                            levelCount: session.volume.levels.count, values: session.record.values),
                             classes: try runner.classStyles(), screen: (100, 40), colorMode: .palette256)
        _ = runner.dispatch(.tick, to: &state)
        for ch in ":identify \(file.path)" { _ = runner.dispatch(.input(.key(.character(ch))), to: &state) }
        _ = runner.dispatch(.input(.key(.enter)), to: &state)
        #expect(state.identify.model?.taxa == ["globular", "uniserial"] && state.identify.isShown, "\(state.message ?? "")")
        let deadline = Date().addingTimeInterval(60)
        while !(state.identify.specimen?.isComplete ?? false) || state.identify.taxa(axis: .z, index: 12) == nil, Date() < deadline {
            usleep(20_000)
            for message in runner.drainBackground() { _ = runner.dispatch(message, to: &state) }
        }
        // The specimen's bars are what `identify predict` says.
        let specimen = try #require(state.identify.specimen)
        let predicted = try TaxonIdentifier.predict(model, project: project.url)
        #expect(specimen.slicesTotal == 24 && specimen.slicesUsed == predicted.specimen.slicesUsed)
        #expect(specimen.ranked.map(\.taxon) == predicted.specimen.ranked.map(\.taxon) && specimen.ranked.first?.taxon == "uniserial")
        for (a, b) in zip(specimen.ranked, predicted.specimen.ranked) { #expect(Swift.abs(a.probability - b.probability) < 1e-6) }
        let slice = try #require(state.identify.taxa(axis: .z, index: 12)?.ranked)
        let expected = try #require(predicted.slices.first { $0.index == 12 })
        #expect(slice.map(\.taxon) == expected.ranked.map(\.taxon))
        #expect(App.view(state).text.contains("specimen, \(specimen.slicesUsed) slices"))

        // The project remembers the model: the next session shows it without being told.
        let again = EffectRunner(session: session, taskSize: 16, palette: [])
        guard case .identify(.modelLoaded(let info))? = again.restoreTaxonModel() else { Issue.record("not restored"); return }
        #expect(info.file == "taxa.model")

        // A damaged model is one line in the status bar, not a crash.
        try Data("not a model".utf8).write(to: folder.appendingPathComponent("bad.model"))
        _ = runner.dispatch(.identify(.choose(folder.appendingPathComponent("bad.model").path)), to: &state)
        #expect(state.messageIsError && state.message == "bad.model: not a Trowel taxon model", "\(state.message ?? "")")
    }
}
