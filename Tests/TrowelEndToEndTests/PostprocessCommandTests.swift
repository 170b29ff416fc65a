import Foundation
import Testing
import TrowelEngine
import TrowelVolume

/// `trowel postprocess` on the real binary, on a segmentation written directly into a converted sample.
struct PostprocessCommandTests {
    /// A 32³ project with segmentation "seg": matrix, a 10-voxel speck of bone and a 12³ hollow bone shell.
    static func project(_ scratch: Scratch) throws -> URL {
        #expect(try TrowelBinary.run(["sample", "-o", scratch("D").path, "--size", "32", "--slices", "32"]).status == 0)
        let project = scratch("P.trowel")
        #expect(try TrowelBinary.run(["convert", scratch("D/scan.zarr").path, "-o", project.path]).status == 0)
        var labels = Block<UInt8>(shape: Shape(z: 32, y: 32, x: 32), repeating: 2)
        for x in 1..<11 { labels[1, 1, x] = 1 }
        for z in 10..<22 { for y in 10..<22 { for x in 10..<22 { labels[z, y, x] = 1 } } }
        for z in 11..<21 { for y in 11..<21 { for x in 11..<21 { labels[z, y, x] = 2 } } }
        let volume = try MultiscaleVolume.open(at: project.appendingPathComponent(Project.volumeName))
        try SegmentationStore(projectURL: project, id: "seg")
            .writeWhole(labels, blockSide: 16, levelShapes: volume.levels.map(\.shape), voxelSize: volume.voxelSize, workers: 2)
        return project
    }

    @Test func cleansUpIntoANewSegmentationThatExportsAndMeshes() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let project = try Self.project(scratch)
        let run = try TrowelBinary.run(["postprocess", project.path, "--segmentation", "seg", "--class", "bone",
                                        "--min-size", "50", "--fill-holes", "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let summary = try LearningCommandTests.json(run.stdout)
        #expect(summary["segmentation"] as? String == "seg-post")
        #expect(summary["components_removed"] as? Int == 1 && summary["voxels_removed"] as? Int == 10)
        #expect(summary["holes_filled"] as? Int == 1 && summary["voxels_filled"] as? Int == 1000)

        let store = SegmentationStore(projectURL: project, id: "seg-post")
        #expect(store.isComplete)
        let labels = try store.readWhole()
        #expect(labels.elements.filter { $0 == 1 }.count == 12 * 12 * 12)
        #expect(labels[1, 1, 5] == 2 && labels[15, 15, 15] == 1)

        let export = try TrowelBinary.run(["export", project.path, "--segmentation", "seg-post", "--format", "raw",
                                           "-o", scratch("out").path])
        #expect(export.status == 0, "\(export.stderr)")
        #expect(try Data(contentsOf: scratch("out/seg-post.raw")) == Data(labels.elements))
        let mesh = try TrowelBinary.run(["mesh", project.path, "--segmentation", "seg-post", "--class", "bone",
                                         "-o", scratch("bone.stl").path])
        #expect(mesh.status == 0, "\(mesh.stderr)")

        // A run interrupted before its pyramid (no completion marker) is redone, with the same result;
        // a finished one is refused.
        try FileManager.default.removeItem(at: store.url.appendingPathComponent(".done/pyramid"))
        #expect(PostProcessing.isInterruptedOutput(store))
        let again = try TrowelBinary.run(["postprocess", project.path, "--segmentation", "seg", "--class", "bone",
                                          "--min-size", "50", "--fill-holes"])
        #expect(again.status == 0 && again.stderr.contains("redoing an interrupted"), "\(again.stderr)")
        #expect(store.isComplete && !PostProcessing.isInterruptedOutput(store))
        #expect(try store.readWhole().elements == labels.elements)
        let refused = try TrowelBinary.run(["postprocess", project.path, "--segmentation", "seg", "--class", "bone",
                                            "--min-size", "50", "--fill-holes"])
        #expect(refused.status == 1 && refused.stderr.contains("already exists"), "\(refused.stderr)")
        // The input (a segmentation, not a post-processing output) never counts as interrupted.
        #expect(!PostProcessing.isInterruptedOutput(SegmentationStore(projectURL: project, id: "seg")))
    }

    @Test func badInputIsOneLineAndExitOne() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let project = try Self.project(scratch)
        #expect(try TrowelBinary.run(["postprocess", project.path, "--segmentation", "seg", "--class", "bone",
                                      "--keep-largest", "1", "-o", "kept"]).status == 0)
        let cases: [([String], String)] = [
            (["--class", "tooth", "--fill-holes"], "no such class"),
            (["--class", "bone"], "nothing to do"),
            (["--class", "bone", "--min-size", "0"], "give a positive number"),
            (["--class", "bone", "--fill-holes", "-o", "kept"], "already exists"),
            (["--class", "bone", "--fill-holes", "-o", "seg"], "is the input segmentation"),
        ]
        for (options, text) in cases {
            let r = try TrowelBinary.run(["postprocess", project.path, "--segmentation", "seg"] + options)
            #expect(r.status == 1, "\(options): \(r.stderr)")
            #expect(r.stderr.contains(text) && r.stderr.split(separator: "\n").count == 1, "\(options): \(r.stderr)")
        }
        let missing = try TrowelBinary.run(["postprocess", project.path, "--segmentation", "nope", "--class", "bone", "--fill-holes"])
        #expect(missing.status == 1 && missing.stderr.contains("no segmentation 'nope'"), "\(missing.stderr)")
    }
}
