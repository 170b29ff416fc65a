import Foundation
import Testing
import TrowelEngine
import TrowelVolume

/// `trowel interpolate` on the real binary: the sample's truth painted on every 8th slice, filled in between.
struct InterpolateCommandTests {
    static let shape = Shape(z: 24, y: 48, x: 48)
    static let labelled = [4, 12, 20]

    /// A converted 48×48×24 sample and its truth; with `label`, the truth on slices 4, 12, 20 imported as labels.
    static func project(_ scratch: Scratch, label: Bool = true) throws -> (URL, Block<UInt8>) {
        #expect(try TrowelBinary.run(["sample", "-o", scratch("D").path, "--size", "48", "--slices", "24"]).status == 0)
        let project = scratch("P.trowel")
        #expect(try TrowelBinary.run(["convert", scratch("D/scan.zarr").path, "-o", project.path]).status == 0)
        let truthArray = try ZarrArray.open(at: scratch("D/truth.zarr/0"))
        let truth = try truthArray.read(truthArray.shape.box, as: UInt8.self)
        if label {
            var sparse = truth
            let plane = shape.y * shape.x
            for i in sparse.elements.indices where !labelled.contains(i / plane) { sparse.elements[i] = 0 }
            try Data(sparse.elements).write(to: scratch("labels.raw"))
            let imported = try TrowelBinary.run(["labels", "import", project.path, scratch("labels.raw").path,
                                                 "--shape", "24,48,48", "--dtype", "u8"])
            #expect(imported.status == 0, "\(imported.stderr)")
        }
        return (project, truth)
    }

    @Test func fillsTheSlicesBetweenAndTheResultMeshesAndExports() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let (project, truth) = try Self.project(scratch)
        // The sample's bones are a few voxels thick at 48 × 48: solve at full resolution.
        let run = try TrowelBinary.run(["interpolate", project.path, "--downsample", "1", "-o", "interp-test", "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let summary = try LearningCommandTests.json(run.stdout)
        #expect(summary["segmentation"] as? String == "interp-test")
        #expect(summary["labelled_slices"] as? [Int] == Self.labelled)
        #expect(summary["converged"] as? Bool == true)
        #expect((summary["voxels_solved"] as? Int ?? 0) > 0)

        let store = SegmentationStore(projectURL: project, id: "interp-test")
        let seg = try store.readWhole()
        let plane = Self.shape.y * Self.shape.x
        var both = 0, a = 0, b = 0
        for z in 5..<20 where !Self.labelled.contains(z) {
            for i in (z * plane)..<((z + 1) * plane) {
                if seg.elements[i] == 1 { a += 1 }
                if truth.elements[i] == 1 { b += 1 }
                if seg.elements[i] == 1 && truth.elements[i] == 1 { both += 1 }
            }
        }
        let dice = 2 * Double(both) / Double(max(1, a + b))
        #expect(dice >= 0.95, "bone Dice between labelled slices \(dice)")
        #expect(seg.elements[0..<(4 * plane)].allSatisfy { $0 == 0 })

        let text = try TrowelBinary.run(["interpolate", project.path, "--downsample", "2"])
        #expect(text.status == 0 && text.stdout.contains("segmentation interp-") && text.stdout.contains("left unlabelled"), "\(text.stdout)")

        let export = try TrowelBinary.run(["export", project.path, "--segmentation", "interp-test", "--format", "raw",
                                           "-o", scratch("out").path])
        #expect(export.status == 0, "\(export.stderr)")
        #expect(try Data(contentsOf: scratch("out/interp-test.raw")) == Data(seg.elements))
        let mesh = try TrowelBinary.run(["mesh", project.path, "--segmentation", "interp-test", "--class", "bone",
                                         "-o", scratch("bone.stl").path])
        #expect(mesh.status == 0, "\(mesh.stderr)")
    }

    @Test func badInputIsOneLineAndExitOne() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let (project, _) = try Self.project(scratch, label: false)
        let none = try TrowelBinary.run(["interpolate", project.path])
        #expect(none.status == 1 && none.stderr.contains("no labels painted"), "\(none.stderr)")
        #expect(none.stderr.split(separator: "\n").count == 1)
        // Only one class painted.
        var matrix = Block<UInt8>(shape: Self.shape, repeating: 0)
        for i in 0..<(48 * 48) { matrix.elements[i] = 2 }
        try Data(matrix.elements).write(to: scratch("m.raw"))
        #expect(try TrowelBinary.run(["labels", "import", project.path, scratch("m.raw").path, "--shape", "24,48,48", "--dtype", "u8"]).status == 0)
        let one = try TrowelBinary.run(["interpolate", project.path])
        #expect(one.status == 1 && one.stderr.contains("at least two classes"), "\(one.stderr)")
        let zero = try TrowelBinary.run(["interpolate", project.path, "--downsample", "0"])
        #expect(zero.status == 1 && zero.stderr.contains("--downsample"), "\(zero.stderr)")
        let missing = try TrowelBinary.run(["interpolate", scratch("nope.trowel").path])
        #expect(missing.status == 1 && missing.stderr.hasPrefix("trowel: "), "\(missing.stderr)")
    }
}
