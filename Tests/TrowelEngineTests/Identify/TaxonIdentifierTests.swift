import Foundation
import Testing
@testable import TrowelEngine
import TrowelML
import TrowelVolume

/// Taxon identification on generated catalogues of `SpecimenPhantom` specimens.
struct TaxonIdentifierTests {
    /// A catalogue folder: `perTaxon` specimens of each (taxon name, plan), each a project.
    static func catalogue(_ taxa: [(String, SpecimenPhantom.Plan)], perTaxon: Int, side: Int = 32, firstSeed: UInt64 = 1) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("trowel-taxa-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        // One chunk per specimen and no pyramid: the descriptors read full-resolution slices only.
        var options = VolumeImporter.Options()
        options.chunk = side
        options.pyramidMinimumSide = 2 * side
        var specimens: [(folder: String, taxon: String, plan: SpecimenPhantom.Plan, seed: UInt64)] = []
        var seed = firstSeed
        for (name, plan) in taxa {
            for i in 0..<perTaxon {
                specimens.append(("\(name)-\(i).trowel", name, plan, seed))
                seed += 1
            }
        }
        // Built in parallel: most of the time is spent waiting for the disk, not computing.
        let failures = Failures()
        let importOptions = options, list = specimens
        DispatchQueue.concurrentPerform(iterations: list.count) { k in
            let s = list[k]
            do {
                _ = try ProjectBuilder(importOptions: importOptions).build(from: SpecimenScan(SpecimenPhantom(plan: s.plan, side: side, seed: s.seed)),
                                                                           at: dir.appendingPathComponent(s.folder))
            } catch {
                failures.add("\(s.folder): \(error)")
            }
        }
        if let first = failures.first { throw IdentifyError.catalogue(dir.lastPathComponent, first) }
        let csv = "project,taxon\n" + specimens.map { "\($0.folder),\($0.taxon)\n" }.joined()
        try csv.write(to: dir.appendingPathComponent("catalogue.csv"), atomically: true, encoding: .utf8)
        return dir
    }

    @Test func specimenLevelAccuracyOnDistinctChamberPlans() throws {
        // Six plans, eight specimens each: the split holds out two per taxon (12 specimens), so one
        // wrong specimen still leaves 11 / 12 ≥ 0.9.
        let dir = try Self.catalogue(SpecimenPhantom.Plan.allCases.map { ($0.rawValue, $0) }, perTaxon: 8)
        defer { try? FileManager.default.removeItem(at: dir) }
        let catalogue = try TaxonCatalogue(contentsOf: dir.appendingPathComponent("catalogue.csv"))
        let model = try TaxonIdentifier().train(catalogue)
        let h = model.header
        #expect(h.heldOutSpecimens.count == 12 && h.trainSpecimens.count == 36)
        #expect(Set(h.heldOutSpecimens).isDisjoint(with: h.trainSpecimens))
        let m = try #require(h.metrics), specimens = try #require(h.specimenMetrics), leaky = try #require(h.sliceSplitMetrics)
        print("identify distinct plans: held-out slice accuracy \(m.accuracy), macro F1 \(m.macroF1), top-3 \(m.top3), AUC \(m.auc ?? -1), specimens \(specimens.accuracy) (macro F1 \(specimens.macroF1)), slice split \(leaky.accuracy)")
        // The target, on specimens no slice of which trained the forest (chance: 1/6).
        #expect(specimens.accuracy >= 0.9)
        #expect(specimens.count == 12)
        // A slice-level split, which trains on neighbours of its test slices, claims more.
        #expect(leaky.accuracy > m.accuracy)
        #expect(m.confusion.flatMap { $0 }.reduce(0, +) == m.count)

        // The file round-trips; damage and other versions are refused with one line.
        let url = dir.appendingPathComponent("taxa.model")
        try model.write(to: url)
        let back = try TaxonModel(contentsOf: url)
        #expect(back.header == model.header && back.forest == model.forest)
        var bytes = try Data(contentsOf: url)
        bytes[bytes.count / 2] ^= 0x40
        try bytes.write(to: url)
        #expect(throws: IdentifyError.model("taxa.model", "checksum mismatch (truncated or corrupted)")) { try TaxonModel(contentsOf: url) }

        let p = try TaxonIdentifier.predict(model, project: dir.appendingPathComponent("planispiral-0.trowel"))
        #expect(p.specimen.ranked.first?.taxon == "planispiral")
        #expect(Swift.abs(p.specimen.ranked.reduce(0) { $0 + $1.probability } - 1) < 1e-4)
    }

    @Test func aSliceLevelSplitClaimsMoreWhenSpecimensAreMemorisable() throws {
        // Every "taxon" is the same plan: nothing but the specimens themselves tells them apart, so
        // only a split that puts a specimen's neighbouring slices on both sides can score well.
        let dir = try Self.catalogue([("a", .globular), ("b", .globular), ("c", .globular)], perTaxon: 4)
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try TaxonIdentifier().train(try TaxonCatalogue(contentsOf: dir.appendingPathComponent("catalogue.csv")))
        let honest = try #require(model.header.metrics).accuracy, leaky = try #require(model.header.sliceSplitMetrics).accuracy
        print("identify memorisable: specimen split \(honest), slice split \(leaky)")
        #expect(leaky > honest + 0.3)
    }

    @Test func taxaWithTooFewSpecimensAreNamed() throws {
        let dir = try Self.catalogue([("a", .globular), ("b", .uniserial)], perTaxon: 3)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("catalogue.csv")
        let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n")
        try (lines.dropLast().joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        #expect(throws: IdentifyError.tooFewSpecimens("catalogue.csv", ["b"])) {
            try TaxonIdentifier().train(try TaxonCatalogue(contentsOf: file))
        }
        try "project,taxon\na-0.trowel,a\na-0.trowel,b\n".write(to: file, atomically: true, encoding: .utf8)
        #expect(throws: IdentifyError.catalogue("catalogue.csv", "line 3: a-0.trowel is listed twice")) { try TaxonCatalogue(contentsOf: file) }
        try "project,taxon\nmissing.trowel,a\n".write(to: file, atomically: true, encoding: .utf8)
        #expect(throws: IdentifyError.catalogue("catalogue.csv", "line 2: missing.trowel is not a Trowel project")) { try TaxonCatalogue(contentsOf: file) }
    }
}

/// Errors from parallel workers.
final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    func add(_ s: String) { lock.lock(); list.append(s); lock.unlock() }
    var first: String? { lock.lock(); defer { lock.unlock() }; return list.first }
}
