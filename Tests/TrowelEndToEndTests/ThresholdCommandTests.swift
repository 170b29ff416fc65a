import Foundation
import Testing
import TrowelEngine
import TrowelVolume

/// `trowel threshold` on the real binary, on the converted 32³ sample.
struct ThresholdCommandTests {
    static func project(_ scratch: Scratch) throws -> URL {
        #expect(try TrowelBinary.run(["sample", "-o", scratch("D").path, "--size", "32", "--slices", "32"]).status == 0)
        let project = scratch("P.trowel")
        #expect(try TrowelBinary.run(["convert", scratch("D/scan.zarr").path, "-o", project.path]).status == 0)
        return project
    }

    @Test func otsuSegmentsTheScanIntoASegmentationThatMeshes() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let project = try Self.project(scratch)
        let run = try TrowelBinary.run(["threshold", project.path, "--otsu", "-o", "otsu", "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let summary = try LearningCommandTests.json(run.stdout)
        let t = try #require((summary["thresholds"] as? [Double])?.first)
        let scan = try MultiscaleVolume.open(at: project.appendingPathComponent(Project.volumeName))
        let values = try scan.read(scan.shape.box).converted(to: Double.self).elements
        #expect(t > values.min()! && t < values.max()!)
        let store = SegmentationStore(projectURL: project, id: "otsu")
        #expect(store.isComplete)
        let labels = try store.readWhole()
        #expect(labels.elements == values.map { $0 > t ? 1 : 2 })
        let bone = labels.elements.filter { $0 == 1 }.count
        #expect(bone > 0 && bone < values.count)
        #expect(FileManager.default.fileExists(atPath: store.url.appendingPathComponent("threshold.json").path))
        let mesh = try TrowelBinary.run(["mesh", project.path, "--segmentation", "otsu", "--class", "bone", "-o", scratch("b.stl").path])
        #expect(mesh.status == 0, "\(mesh.stderr)")

        let multi = try TrowelBinary.run(["threshold", project.path, "--multi-otsu", "3", "-o", "m3", "--json"])
        #expect(multi.status == 0, "\(multi.stderr)")
        let ts = try #require(try LearningCommandTests.json(multi.stdout)["thresholds"] as? [Double])
        #expect(ts.count == 2 && ts[0] < ts[1])
        let regions = try SegmentationStore(projectURL: project, id: "m3").readWhole()
        #expect(regions.elements == values.map { $0 >= ts[1] ? 3 : $0 >= ts[0] ? 2 : 1 })

        let again = try TrowelBinary.run(["threshold", project.path, "--otsu", "-o", "otsu"])
        #expect(again.status == 1 && again.stderr.split(separator: "\n").count == 1 && again.stderr.contains("exists"), "\(again.stderr)")
    }

    @Test func sliceLabelsBecomeAProposalAndBadSlicesAreRefused() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let project = try Self.project(scratch)
        let run = try TrowelBinary.run(["threshold", project.path, "--value", "100", "--slice", "z:7", "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let summary = try LearningCommandTests.json(run.stdout)
        #expect(summary["labelled"] as? Int == 32 * 32 && summary["slice"] as? String == "z:7")
        let labels = try ZarrArray.open(at: project.appendingPathComponent("labels.zarr"))
        let slice = try labels.read(Box(z: 7..<8, y: 0..<32, x: 0..<32), as: UInt8.self)
        let scan = try MultiscaleVolume.open(at: project.appendingPathComponent(Project.volumeName))
        let values = try scan.slice(axis: .z, at: 7).converted(to: Double.self).elements
        #expect(slice.elements == values.map { $0 > 100 ? 1 : 2 })
        #expect(try labels.read(Box(z: 6..<7, y: 0..<32, x: 0..<32), as: UInt8.self).elements.allSatisfy { $0 == 0 })

        for bad in ["q:3", "z:99", "z"] {
            let r = try TrowelBinary.run(["threshold", project.path, "--otsu", "--slice", bad])
            #expect(r.status == 1 && r.stderr.split(separator: "\n").count == 1 && r.stderr.contains("--slice \(bad)"), "\(r.stderr)")
        }
        let none = try TrowelBinary.run(["threshold", project.path])
        #expect(none.status != 0)
    }
}
