import Foundation
import Testing
import TrowelEngine
import TrowelVolume

/// `trowel identify train|eval|predict` on the real binary, on a small catalogue of generated
/// specimens (`SpecimenPhantom`, 32³).
struct IdentifyCommandTests {
    /// A scan held in memory, read as slices.
    struct PhantomSource: SliceSource {
        let block: Block<UInt8>
        var shape: Shape { block.shape }
        var dtype: DType { .u8 }
        var summary: String { "specimen phantom \(block.shape)" }
        func readSlices(_ range: Range<Int>) throws -> AnyBlock {
            AnyBlock(block.cropped(to: Box(z: range, y: 0..<shape.y, x: 0..<shape.x)))
        }
    }

    /// One project per specimen in `scratch`, named `<taxon>-<i>.trowel`.
    static func specimen(_ plan: SpecimenPhantom.Plan, seed: UInt64, side: Int = 32, at url: URL) throws {
        var options = VolumeImporter.Options()
        options.chunk = 16
        options.pyramidMinimumSide = 16
        _ = try ProjectBuilder(importOptions: options).build(from: PhantomSource(block: SpecimenPhantom(plan: plan, side: side, seed: seed).volume()),
                                                             at: url)
    }

    static let plans: [SpecimenPhantom.Plan] = [.globular, .uniserial, .planispiral]

    /// `perTaxon` specimens of each plan and `catalogue.csv` listing them.
    static func catalogue(_ scratch: Scratch, perTaxon: Int, side: Int = 32) throws -> URL {
        var csv = "project,taxon\n", seed: UInt64 = 1
        for plan in plans {
            for i in 0..<perTaxon {
                try specimen(plan, seed: seed, side: side, at: scratch("\(plan.rawValue)-\(i).trowel"))
                seed += 1
                csv += "\(plan.rawValue)-\(i).trowel,\(plan.rawValue)\n"
            }
        }
        let file = scratch("catalogue.csv")
        try csv.write(to: file, atomically: true, encoding: .utf8)
        return file
    }

    static let metricKeys: Set<String> = ["count", "accuracy", "macro_precision", "macro_recall", "macro_f1", "weighted_precision",
                                          "weighted_recall", "weighted_f1", "top3", "auc", "per_taxon", "confusion"]

    static func oneLine(_ r: TrowelBinary.Result, _ says: String) -> Bool {
        r.status == 1 && r.stdout.isEmpty && r.stderr.split(separator: "\n").count == 1 && r.stderr.contains(says)
    }

    @Test func trainEvaluateAndPredict() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let catalogue = try Self.catalogue(scratch, perTaxon: 3)
        let model = scratch("taxa.model")

        let train = try TrowelBinary.run(["identify", "train", catalogue.path, "-o", model.path, "--seed", "3", "--json"])
        #expect(train.status == 0, "\(train.stderr)")
        let report = try LearningCommandTests.json(train.stdout)
        #expect(Set(report.keys) == ["model", "catalogue", "taxa", "seed", "test_fraction", "axes", "train_specimens",
                                     "held_out_specimens", "specimens", "slices", "slice_split", "seconds"])
        #expect(report["taxa"] as? [String] == Self.plans.map(\.rawValue).sorted())
        #expect(report["seed"] as? Int == 3)
        let trained = try #require(report["train_specimens"] as? [String])
        let heldOut = try #require(report["held_out_specimens"] as? [String])
        // Every specimen is in exactly one partition, and each taxon holds one out (3 specimens: 2 train).
        #expect(Set(trained).isDisjoint(with: heldOut))
        #expect(Set(trained + heldOut).count == 9 && trained.count == 6 && heldOut.count == 3)
        for plan in Self.plans { #expect(heldOut.filter { $0.hasPrefix(plan.rawValue) }.count == 1) }
        for key in ["specimens", "slices", "slice_split"] {
            let m = try #require(report[key] as? [String: Any], "\(key)")
            #expect(Set(m.keys) == Self.metricKeys, "\(key)")
            let perTaxon = try #require(m["per_taxon"] as? [[String: Any]])
            #expect(perTaxon.map { $0["taxon"] as? String } == Self.plans.map(\.rawValue).sorted())
            #expect(Set(perTaxon[0].keys) == ["taxon", "precision", "recall", "f1", "auc", "support"])
            let confusion = try #require(m["confusion"] as? [[Int]])
            #expect(confusion.flatMap { $0 }.reduce(0, +) == m["count"] as? Int)
        }
        #expect((report["specimens"] as? [String: Any])?["count"] as? Int == 3)
        #expect(FileManager.default.fileExists(atPath: model.path))

        // The same split again, as a table.
        let table = try TrowelBinary.run(["identify", "train", catalogue.path, "-o", scratch("again.model").path, "--seed", "3"])
        #expect(table.status == 0, "\(table.stderr)")
        for words in ["held out: " + heldOut.joined(separator: ", "), "macro F1", "weighted recall", "top-3 accuracy", "AUC",
                      "slice split (leaky)", "support", "confusion matrix of the held-out specimens"] {
            #expect(table.stdout.contains(words), "\(words)\n\(table.stdout)")
        }

        // Eval on the held-out specimens only: none of them trained the model.
        let heldCSV = scratch("held-out.csv")
        try ("project,taxon\n" + heldOut.map { "\($0),\($0.split(separator: "-")[0])\n" }.joined()).write(to: heldCSV, atomically: true, encoding: .utf8)
        let eval = try TrowelBinary.run(["identify", "eval", model.path, heldCSV.path, "--json"])
        #expect(eval.status == 0, "\(eval.stderr)")
        let scored = try LearningCommandTests.json(eval.stdout)
        #expect(Set(scored.keys) == ["model", "catalogue", "taxa", "specimen_count", "trained_on", "specimens", "slices"])
        #expect(scored["trained_on"] as? [String] == [])
        let specimens = try #require(scored["specimens"] as? [String: Any])
        #expect(specimens["count"] as? Int == 3)
        // Scoring the held-out specimens again gives what training reported for them.
        let reported = try #require(report["specimens"] as? [String: Any])
        #expect(specimens["accuracy"] as? Double == reported["accuracy"] as? Double)
        let evalAll = try TrowelBinary.run(["identify", "eval", model.path, catalogue.path])
        #expect(evalAll.status == 0, "\(evalAll.stderr)")
        #expect(evalAll.stdout.contains("warning: the model was trained on 6 of these specimens"), "\(evalAll.stdout)")

        // A new globular specimen (one chamber: a clear taxon) ranks globular first.
        let fresh = scratch("new.trowel")
        try Self.specimen(.globular, seed: 101, at: fresh)
        let predict = try TrowelBinary.run(["identify", "predict", model.path, fresh.path, "--json"])
        #expect(predict.status == 0, "\(predict.stderr)")
        let p = try LearningCommandTests.json(predict.stdout)
        let specimen = try #require(p["specimen"] as? [String: Any])
        let ranked = try #require(specimen["ranked"] as? [[String: Any]])
        #expect(ranked.first?["taxon"] as? String == "globular", "\(predict.stdout)")
        #expect(ranked.count == 3)
        let probabilities = ranked.compactMap { $0["probability"] as? Double }
        #expect(probabilities == probabilities.sorted(by: >) && Swift.abs(probabilities.reduce(0, +) - 1) < 1e-4)
        #expect(specimen["aggregation"] as? String == "mean of slice probabilities")
        #expect(specimen["confidence"] as? Double == probabilities[0])
        #expect(p.keys.contains("slices") && p["slices"] is NSNull)
        let perSlice = try TrowelBinary.run(["identify", "predict", model.path, fresh.path, "--slices", "--json"])
        let slices = try #require(try LearningCommandTests.json(perSlice.stdout)["slices"] as? [[String: Any]])
        #expect(slices.count == specimen["slices_used"] as? Int && slices.allSatisfy { $0["axis"] as? String == "z" })
        let human = try TrowelBinary.run(["identify", "predict", model.path, fresh.path, "--slices"])
        #expect(human.status == 0 && human.stdout.contains("mean of slice probabilities") && human.stdout.contains("confidence: globular"),
                "\(human.stdout)")
        #expect(human.stdout.contains("per slice"))
    }

    @Test func sampleWritesACatalogueThatTrainsStraightAway() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let dir = scratch("specimens")
        let made = try TrowelBinary.run(["sample", "--specimens", dir.path, "--taxa", "3", "--per-taxon", "3", "--size", "24", "--seed", "5"])
        #expect(made.status == 0, "\(made.stderr)")
        #expect(made.stdout.contains("9 synthetic specimens (24³, seed 5) of 3 taxa: globular, planispiral, uniserial"), "\(made.stdout)")
        let csv = try String(contentsOf: dir.appendingPathComponent("catalogue.csv"), encoding: .utf8)
        let rows = csv.split(separator: "\n").map(String.init)
        #expect(rows.first == "project,taxon" && rows.count == 10)
        #expect(rows.dropFirst().first == "globular-0.trowel,globular" && rows.last == "uniserial-2.trowel,uniserial")
        for row in rows.dropFirst() {
            let project = dir.appendingPathComponent(String(row.split(separator: ",")[0]))
            #expect(FileManager.default.fileExists(atPath: project.appendingPathComponent("project.sqlite").path), "\(row)")
        }
        // The specimens are the generator's: seed 5 is the first one, each next adds 1.
        let info = try TrowelBinary.run(["info", dir.appendingPathComponent("planispiral-1.trowel").path])
        #expect(info.stdout.contains("generated planispiral specimen 24³ (seed 9)"), "\(info.stdout)")

        let train = try TrowelBinary.run(["identify", "train", dir.appendingPathComponent("catalogue.csv").path, "-o", scratch("taxa.model").path, "--json"])
        #expect(train.status == 0, "\(train.stderr)")
        let report = try LearningCommandTests.json(train.stdout)
        #expect(report["taxa"] as? [String] == ["globular", "planispiral", "uniserial"])
        #expect((report["held_out_specimens"] as? [String])?.count == 3)

        // Refusals: one line, nothing written.
        let again = try TrowelBinary.run(["sample", "--specimens", dir.path])
        #expect(Self.oneLine(again, "already exists"), "\(again.stderr)")
        for (args, says) in [(["--taxa", "7"], "--taxa 7: use 2 to 6"), (["--per-taxon", "0"], "--per-taxon 0: use at least 1"),
                             (["--size", "8"], "--size 8: a specimen's side must be 16 to 512 voxels")] {
            let r = try TrowelBinary.run(["sample", "--specimens", scratch("other").path] + args)
            #expect(Self.oneLine(r, says), "\(args) \(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: scratch("other").path))
        }
        let both = try TrowelBinary.run(["sample", "--specimens", scratch("other").path, "-o", scratch("scan").path])
        #expect(Self.oneLine(both, "give one of them"), "\(both.stderr)")
    }

    @Test func badInputIsOneLineAndWritesNothing() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        // Tiny specimens: every refusal here comes before any slice is read.
        for (i, plan) in [SpecimenPhantom.Plan.globular, .globular, .globular, .uniserial, .uniserial].enumerated() {
            try Self.specimen(plan, seed: UInt64(i + 1), side: 16, at: scratch("s\(i).trowel"))
        }
        let model = scratch("taxa.model")
        let few = scratch("few.csv")
        try "project,taxon\ns0.trowel,a\ns1.trowel,a\ns2.trowel,a\ns3.trowel,b\ns4.trowel,b\n".write(to: few, atomically: true, encoding: .utf8)
        let r1 = try TrowelBinary.run(["identify", "train", few.path, "-o", model.path])
        #expect(Self.oneLine(r1, "few.csv: taxa with fewer than 3 specimens cannot be split by specimen: b"), "\(r1.stderr)")

        let missing = scratch("missing.csv")
        try "project,taxon\ns0.trowel,a\nnot-there.trowel,a\n".write(to: missing, atomically: true, encoding: .utf8)
        let r2 = try TrowelBinary.run(["identify", "train", missing.path, "-o", model.path, "--json"])
        #expect(Self.oneLine(r2, "missing.csv: line 3: not-there.trowel is not a Trowel project"), "\(r2.stderr)")
        let r3 = try TrowelBinary.run(["identify", "eval", model.path, missing.path])
        #expect(Self.oneLine(r3, "taxa.model: cannot be read"), "\(r3.stderr)")
        #expect(!FileManager.default.fileExists(atPath: model.path))

        // A corrupt model: a damaged byte, another version, not a model at all.
        var bytes = Data("TRWLTAXA".utf8)
        for v: UInt32 in [UInt32(TaxonModel.version), 40] { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
        bytes.append(Data(repeating: 7, count: 64))
        try bytes.write(to: model)
        for args in [["predict", model.path, scratch("s0.trowel").path], ["eval", model.path, few.path], ["predict", model.path, scratch("s0.trowel").path, "--json"]] {
            let r = try TrowelBinary.run(["identify"] + args)
            #expect(Self.oneLine(r, "taxa.model: checksum mismatch (truncated or corrupted)"), "\(args) \(r.stderr)")
        }
        bytes[8] = 9
        try bytes.write(to: model)
        let r4 = try TrowelBinary.run(["identify", "predict", model.path, scratch("s0.trowel").path])
        #expect(Self.oneLine(r4, "taxa.model: taxon model format version 9; this Trowel reads version 2"), "\(r4.stderr)")
        try Data("project,taxon\n".utf8).write(to: model)
        let r5 = try TrowelBinary.run(["identify", "predict", model.path, scratch("s0.trowel").path])
        #expect(Self.oneLine(r5, "taxa.model: not a Trowel taxon model"), "\(r5.stderr)")

        let r6 = try TrowelBinary.run(["identify", "train", few.path, "-o", scratch("no-such-folder/taxa.model").path])
        #expect(Self.oneLine(r6, "does not exist"), "\(r6.stderr)")
    }
}
