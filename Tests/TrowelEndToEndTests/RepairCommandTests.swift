import Foundation
import Testing

/// A truncated or corrupt project.sqlite had no way back although the scan, labels, models and
/// segmentations were intact beside it: `trowel repair` rebuilds it and says what it could not.
@Suite(.serialized) struct RepairCommandTests {
    static func info(_ project: URL) throws -> [String: Any] {
        let r = try TrowelBinary.run(["info", project.path, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        return try LearningCommandTests.json(r.stdout)
    }

    @Test(arguments: ["truncated", "emptied", "garbage"])
    func aDamagedDatabaseIsRebuiltFromTheFilesBesideIt(_ damage: String) throws {
        let f = try AuditDefectTests.Fixture()
        defer { f.scratch.remove() }
        let id = try AuditDefectTests.train(f)
        let segment = try TrowelBinary.run(["segment", f.project.path, "--model", id, "--block", "16"])
        #expect(segment.status == 0, "\(segment.stderr)")
        let before = try Self.info(f.project)
        // The segmentation, and its cleaned copy when the model kept a clean-up.
        let segmentations = try FileManager.default.contentsOfDirectory(atPath: f.project.appendingPathComponent("segmentations").path)
            .filter { $0.hasSuffix(".zarr") && !$0.contains("-probabilities") }.count
        #expect((1...2).contains(segmentations))
        let labels = try Data(contentsOf: f.project.appendingPathComponent("labels.zarr/.zarray"))

        let database = f.project.appendingPathComponent("project.sqlite")
        let bytes = try Data(contentsOf: database)
        switch damage {
        case "truncated": try bytes.prefix(bytes.count / 3).write(to: database)
        case "emptied": try Data().write(to: database)
        default: try Data((0..<bytes.count).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) }).write(to: database)
        }
        let broken = try TrowelBinary.run(["info", f.project.path])
        #expect(broken.status == 1, "\(damage): info should fail on a damaged database: \(broken.stdout)")
        #expect(broken.stderr.contains("trowel repair"), "\(damage): the error should point to trowel repair: \(broken.stderr)")
        let damagedSize = try Data(contentsOf: database).count

        let repair = try TrowelBinary.run(["repair", f.project.path])
        #expect(repair.status == 0, "\(repair.stderr)")
        let out = repair.stdout
        #expect(out.contains("repaired \(f.project.path)"), "\(out)")
        #expect(out.contains("re-registered from models/: \(id)"), "\(out)")
        #expect(out.contains("\(segmentations) segmentation(s) in segmentations/ (\(segmentations) complete)"), "\(out)")
        #expect(out.contains("the labels in labels.zarr, untouched"), "\(out)")
        if damage != "truncated" {
            // Nothing of the old file could be read: the stroke history is gone, and it says so.
            #expect(out.contains("not recovered: the stroke history"), "\(out)")
            #expect(out.contains("not recovered: the scan's source description"), "\(out)")
        }
        // The damaged database is kept, byte for byte, beside the new one.
        let aside = try FileManager.default.contentsOfDirectory(atPath: f.project.path).filter { $0.hasPrefix("project.sqlite.damaged-") && !$0.hasSuffix("-wal") && !$0.hasSuffix("-shm") }
        #expect(aside.count == 1, "\(aside)")
        if let name = aside.first {
            #expect(try Data(contentsOf: f.project.appendingPathComponent(name)).count == damagedSize)
        }

        // The project opens again with the same scan, classes, labels, model and segmentation.
        let after = try Self.info(f.project)
        for key in ["shape", "dtype", "voxel_size_um", "levels", "chunks"] {
            #expect("\(after[key] ?? "")" == "\(before[key] ?? "")", "\(key)")
        }
        #expect((after["classes"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["bone", "matrix"])
        #expect(try Data(contentsOf: f.project.appendingPathComponent("labels.zarr/.zarray")) == labels)
        let again = try TrowelBinary.run(["segment", f.project.path, "--model", id, "--block", "16"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("0 block(s) computed"), "the model is registered and its segmentation found: \(again.stdout)")
        let evaluate = try TrowelBinary.run(["train", f.project.path, "--no-auto", "--trees", "4", "--sigma", "1"])
        #expect(evaluate.status == 0, "the labels train a model again: \(evaluate.stderr)")

        // A healthy project is left alone.
        let healthy = try TrowelBinary.run(["repair", f.project.path, "--json"])
        #expect(healthy.status == 0, "\(healthy.stderr)")
        #expect(try LearningCommandTests.json(healthy.stdout)["repaired"] as? Bool == false)
    }
}
