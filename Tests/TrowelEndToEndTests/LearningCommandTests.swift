import Foundation
import Testing
import TrowelEngine
import TrowelVolume

/// `trowel labels import`, `trowel train` and `trowel eval` on the real binary, on a small phantom.
@Suite(.serialized) struct LearningCommandTests {
    /// A sample scan converted to a project, with sparse truth labels on three slices as a raw u8 file.
    struct Fixture {
        let scratch: Scratch
        var project: URL { scratch("P.trowel") }
        var truth: URL { scratch("D/truth.zarr") }
        var labels: URL { scratch("labels.raw") }

        init() throws {
            scratch = try Scratch()
            let sample = try TrowelBinary.run(["sample", "-o", scratch("D").path, "--size", "64", "--slices", "48"])
            #expect(sample.status == 0, "\(sample.stderr)")
            let convert = try TrowelBinary.run(["convert", scratch("D/scan.zarr").path, "-o", project.path])
            #expect(convert.status == 0, "\(convert.stderr)")
            let phantom = try FossilPhantom(size: 64, slices: 48)
            let truth = phantom.truthSlices(0..<48)
            var sparse = [UInt8](repeating: 0, count: truth.elements.count)
            for z in [10, 24, 38] {
                for y in stride(from: 1, to: 64, by: 3) {
                    for x in stride(from: 1, to: 64, by: 3) {
                        let i = truth.shape.offset(z: z, y: y, x: x)
                        sparse[i] = truth.elements[i]
                    }
                }
            }
            try Data(sparse).write(to: labels)
        }
    }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func importTrainAndEvaluate() throws {
        let f = try Fixture()
        defer { f.scratch.remove() }
        let imported = try TrowelBinary.run(["labels", "import", f.project.path, f.labels.path, "--shape", "48,64,64", "--dtype", "u8"])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.contains("bone"))

        let train = try TrowelBinary.run(["train", f.project.path, "--json", "--trees", "20", "--no-auto"])
        #expect(train.status == 0, "\(train.stderr)")
        let trained = try Self.json(train.stdout)
        let id = try #require(trained["model"] as? String)
        #expect(id.wholeMatch(of: /\d{8}T\d{6}Z-[0-9a-f]{6}/) != nil)
        let metrics = try #require(trained["metrics"] as? [String: Any])
        let bone = try #require(metrics["bone"] as? [String: Any])
        #expect((bone["f1"] as? Double).map { (0...1).contains($0) } == true)
        #expect(metrics["matrix"] != nil)
        #expect(FileManager.default.fileExists(atPath: f.project.appendingPathComponent("models/\(id).forest").path))
        #expect(FileManager.default.fileExists(atPath: f.project.appendingPathComponent("models/\(id).json").path))

        let eval = try TrowelBinary.run(["eval", f.project.path, "--model", id, "--truth", f.truth.path, "--json"])
        #expect(eval.status == 0, "\(eval.stderr)")
        let scores = try Self.json(eval.stdout)
        let boneScore = try #require(scores["bone"] as? [String: Any])
        let f1 = try #require(boneScore["f1"] as? Double)
        #expect(f1 >= 0.85, "bone F1 \(f1)")
        for key in ["precision", "recall", "jaccard", "accuracy"] { #expect(boneScore[key] is Double) }

        // A slice range scores only those slices.
        let part = try TrowelBinary.run(["eval", f.project.path, "--truth", f.truth.path, "--slices", "10:12", "--json"])
        #expect(part.status == 0, "\(part.stderr)")
        let partBone = try #require(try Self.json(part.stdout)["bone"] as? [String: Any])
        let partMatrix = try #require(try Self.json(part.stdout)["matrix"] as? [String: Any])
        #expect((partBone["support"] as? Int ?? 0) + (partMatrix["support"] as? Int ?? 0) == 2 * 64 * 64)

        let unknown = try TrowelBinary.run(["eval", f.project.path, "--model", "20990101T000000Z-abcdef", "--truth", f.truth.path])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("no model '20990101T000000Z-abcdef'"))
        #expect(unknown.stderr.split(separator: "\n").count == 1)
    }

    @Test func importsABinaryMask() throws {
        let f = try Fixture()
        defer { f.scratch.remove() }
        let mask = Data(try Data(contentsOf: f.labels).map { $0 == 1 ? 255 : 0 })
        try mask.write(to: f.scratch("mask.raw"))
        let run = try TrowelBinary.run(["labels", "import", f.project.path, f.scratch("mask.raw").path, "--shape", "48,64,64",
                                        "--dtype", "u8", "--class", "bone", "--background", "matrix"])
        #expect(run.status == 0, "\(run.stderr)")
        // Every voxel is labelled: the mask's ones as bone, its zeros as matrix.
        #expect(run.stdout.contains("imported \(48 * 64 * 64) labelled voxels"))
        let bones = mask.filter { $0 != 0 }.count
        #expect(run.stdout.contains("bone \(bones)"))
        #expect(run.stdout.contains("matrix \(48 * 64 * 64 - bones)"))
    }

    @Test func badInputFailsWithOneLine() throws {
        let f = try Fixture()
        defer { f.scratch.remove() }
        let shape = try TrowelBinary.run(["labels", "import", f.project.path, f.labels.path, "--shape", "48,64,32", "--dtype", "u16"])
        #expect(shape.status == 1)
        #expect(shape.stderr.contains("the scan is 48×64×64"))
        #expect(shape.stderr.split(separator: "\n").count == 1)

        var bad = try Data(contentsOf: f.labels)
        bad[100] = 7
        try bad.write(to: f.scratch("bad.raw"))
        let value = try TrowelBinary.run(["labels", "import", f.project.path, f.scratch("bad.raw").path, "--shape", "48,64,64", "--dtype", "u8"])
        #expect(value.status == 1)
        #expect(value.stderr.contains("bad.raw: label value 7 is not a class"))
        #expect(value.stderr.contains("first on slice 0"))
        #expect(value.stderr.split(separator: "\n").count == 1)

        let noClass = try TrowelBinary.run(["labels", "import", f.project.path, f.labels.path, "--shape", "48,64,64", "--dtype", "u8",
                                            "--class", "tooth"])
        #expect(noClass.status == 1)
        #expect(noClass.stderr.contains("no class 'tooth'"))

        let untrained = try TrowelBinary.run(["train", f.project.path])
        #expect(untrained.status == 1)
        #expect(untrained.stderr.contains("no labelled voxels"))
    }

    /// The project's labels, every voxel.
    static func labels(_ project: URL) throws -> [UInt8] {
        let url = project.appendingPathComponent("labels.zarr")
        guard FileManager.default.fileExists(atPath: url.path) else { return [] }
        let array = try ZarrArray.open(at: url)
        return try array.read(array.shape.box, as: UInt8.self).elements
    }

    /// A bad class id on a late slice used to write every slab before it over the existing labels,
    /// with no stroke and no undo. Now the file is checked first, and an import can be undone.
    @Test func aBadLateSliceWritesNothingAndImportsCanBeUndone() throws {
        // 100 slices: labels.zarr chunks are 64 deep, so slice 90 is in the second slab.
        let scratch = try Scratch()
        defer { scratch.remove() }
        let project = scratch("P.trowel")
        #expect(try TrowelBinary.run(["sample", "-o", scratch("D").path, "--size", "32", "--slices", "100"]).status == 0)
        #expect(try TrowelBinary.run(["convert", scratch("D/scan.zarr").path, "-o", project.path]).status == 0)
        let plane = 32 * 32, count = 100 * plane
        func importing(_ values: [UInt8], _ name: String) throws -> TrowelBinary.Result {
            try Data(values).write(to: scratch(name))
            return try TrowelBinary.run(["labels", "import", project.path, scratch(name).path, "--shape", "100,32,32", "--dtype", "u8"])
        }
        var first = [UInt8](repeating: 0, count: count)
        for i in stride(from: 0, to: count, by: 7) { first[i] = i % 2 == 0 ? 1 : 2 }
        let imported = try importing(first, "first.raw")
        #expect(imported.status == 0, "\(imported.stderr)")
        let painted = try Self.labels(project)
        #expect(painted == first)

        // Matrix everywhere, and a class id 7 on slice 90: nothing may be written.
        var late = [UInt8](repeating: 2, count: count)
        late[90 * plane + 100] = 7
        let bad = try importing(late, "late.raw")
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("late.raw: label value 7 is not a class"), "\(bad.stderr)")
        #expect(bad.stderr.contains("slice 90"))
        #expect(bad.stderr.split(separator: "\n").count == 1)
        #expect(try Self.labels(project) == painted, "a failed import changed the labels")

        // A float file: the values are not integers (not "label value 0 is not a class").
        var floats = [Float](repeating: 0, count: count)
        floats[30 * plane + 5] = 0.25
        try floats.withUnsafeBytes { try Data($0).write(to: scratch("float.raw")) }
        let float = try TrowelBinary.run(["labels", "import", project.path, scratch("float.raw").path, "--shape", "100,32,32", "--dtype", "f32"])
        #expect(float.status == 1)
        #expect(float.stderr.contains("float.raw: label values must be whole class ids, but slice 30 holds 0.25"), "\(float.stderr)")
        #expect(float.stderr.split(separator: "\n").count == 1)
        #expect(try Self.labels(project) == painted)

        // A good import over the first one, then undo: the first import's labels are back.
        late[90 * plane + 100] = 2
        let good = try importing(late, "good.raw")
        #expect(good.status == 0, "\(good.stderr)")
        #expect(try Self.labels(project) == late)
        let undo = try TrowelBinary.run(["labels", "undo", project.path])
        #expect(undo.status == 0, "\(undo.stderr)")
        #expect(undo.stdout.contains("undid the import of \(scratch("good.raw").path)"), "\(undo.stdout)")
        #expect(try Self.labels(project) == painted, "undo did not restore the labels before the import")
        let again = try TrowelBinary.run(["labels", "undo", project.path])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try Self.labels(project).allSatisfy { $0 == 0 })
        let none = try TrowelBinary.run(["labels", "undo", project.path])
        #expect(none.status == 1)
        #expect(none.stderr.contains("no label import to undo"))
        #expect(none.stderr.split(separator: "\n").count == 1)
    }

    @Test func autoComparesTheCandidatesAndTrainsTheWinner() throws {
        let f = try Fixture()
        defer { f.scratch.remove() }
        let imported = try TrowelBinary.run(["labels", "import", f.project.path, f.labels.path, "--shape", "48,64,64", "--dtype", "u8"])
        #expect(imported.status == 0, "\(imported.stderr)")
        // Comparing the candidates is the default when no feature option is given.
        let train = try TrowelBinary.run(["train", f.project.path, "--trees", "6", "--json"])
        #expect(train.status == 0, "\(train.stderr)")
        let report = try Self.json(train.stdout)
        let auto = try #require(report["auto"] as? [String: Any])
        let candidates = try #require(auto["candidates"] as? [[String: Any]])
        #expect(candidates.map { $0["recipe"] as? String ?? "" } == TrainingRecipe.candidates.map(\.name))
        let scored = candidates.compactMap { c in (c["score"] as? Double).map { (c["recipe"] as? String ?? "", $0) } }
        let best = try #require(scored.max { $0.1 < $1.1 })
        #expect(auto["chosen"] as? String == best.0)
        #expect(report["recipe"] as? String == best.0)

        // The ilastik bank and scales below 1 from the command line; a bad σ range is one line.
        let ilastik = try TrowelBinary.run(["train", f.project.path, "--features", "ilastik", "--sigma", "0.7:1.6", "--trees", "6", "--json"])
        #expect(ilastik.status == 0, "\(ilastik.stderr)")
        let features = try #require(try Self.json(ilastik.stdout)["features"] as? String)
        #expect(features.contains("raw+intensity+laplacianOfGaussian") && features.contains("σ=0.7,1,1.6") && features.contains("clipped"))
        let bad = try TrowelBinary.run(["train", f.project.path, "--features", "ilastik", "--sigma", "11:20"])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("no ilastik scale"))
        let both = try TrowelBinary.run(["train", f.project.path, "--auto", "--sigma", "2"])
        #expect(both.status != 0)
        #expect(both.stderr.contains("--auto chooses the features itself"))

        // Two autocontext stages by hand: both stages scored, the cascade saved.
        let cascade = try TrowelBinary.run(["train", f.project.path, "--stages", "2", "--trees", "6", "--json"])
        #expect(cascade.status == 0, "\(cascade.stderr)")
        let cascaded = try Self.json(cascade.stdout)
        #expect(cascaded["stages"] as? Int == 2 && cascaded["auto"] == nil)
        let byStage = try #require(cascaded["f1_by_stage"] as? [[String: Double]])
        #expect(byStage.count == 2 && byStage.allSatisfy { $0["bone"] != nil })
    }
}
