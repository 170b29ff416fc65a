import Foundation
import Testing
import TrowelEngine
import TrowelML
import TrowelVolume

/// `trowel match` on the real binary: a turned, magnified, re-contrasted slice of the converted
/// sample written as a 16-bit PNG is found; images of the wrong kind are refused in one line.
struct MatchCommandTests {
    @Test func findsARotatedSliceAndPrintsJSON() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        #expect(try TrowelBinary.run(["sample", "-o", scratch("D").path, "--size", "48"]).status == 0)
        let project = scratch("P.trowel")
        #expect(try TrowelBinary.run(["convert", scratch("D/scan.zarr").path, "-o", project.path]).status == 0)
        let scan = try MultiscaleVolume.open(at: project.appendingPathComponent(Project.volumeName))
        let slice = GreyPlane(height: 48, width: 48, values: try scan.slice(axis: .y, at: 30).converted(to: Float.self).elements)
        let size = slice.canvas(angle: 50, scale: 1.2)
        let mean = slice.values.reduce(0, +) / Float(slice.count)
        let image = slice.section(at: SectionPose(angle: 50, scale: 1.2, offset: (0, 0)), height: size.height, width: size.width, fill: mean)
        let u16 = image.values.map { UInt16(max(0, min(65535, ($0 * 150 + 900).rounded()))) }
        let file = scratch("section.png")
        try PNGWriter().write(slice: 0, of: AnyBlock(Block(shape: Shape(z: 1, y: size.height, x: size.width), elements: u16)), to: file)

        let run = try TrowelBinary.run(["match", project.path, file.path, "--top", "3", "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        let candidates = try #require(report?["candidates"] as? [[String: Any]])
        #expect(!candidates.isEmpty && candidates.count <= 3)
        let best = try #require(candidates.first)
        #expect(best["axis"] as? String == "y")
        #expect(Swift.abs((best["slice"] as? Int ?? -9) - 30) <= 1, "\(best)")
        let angle = best["angle"] as? Double ?? -99
        #expect(min(Swift.abs(angle - 50), 360 - Swift.abs(angle - 50)) <= 3, "\(best)")
        #expect(Swift.abs((best["scale"] as? Double ?? 0) - 1.2) < 0.06)
        #expect((best["offset"] as? [Double])?.count == 2)
        for key in ["ssim", "ncc", "dice"] { #expect(best[key] is Double, "\(key)") }
        #expect((best["ncc"] as? Double ?? 0) > 0.8)

        let text = try TrowelBinary.run(["match", project.path, file.path, "--axis", "y", "--top", "2"])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("rank") && text.stdout.contains("ssim"), "\(text.stdout)")
    }

    @Test func imagesOfTheWrongKindAreRefusedInOneLine() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        #expect(try TrowelBinary.run(["sample", "-o", scratch("D").path, "--size", "32"]).status == 0)
        let project = scratch("P.trowel")
        #expect(try TrowelBinary.run(["convert", scratch("D/scan.zarr").path, "-o", project.path]).status == 0)
        let fixtures = TrowelBinary.repository.appendingPathComponent("Tests/TrowelVolumeTests/Fixtures/import")
        let flat = scratch("flat.png")
        try PNGWriter().write(slice: 0, of: AnyBlock(Block(shape: Shape(z: 1, y: 32, x: 32), elements: [UInt8](repeating: 90, count: 1024))), to: flat)
        let cases: [(String, String)] = [
            (fixtures.appendingPathComponent("rgb-u8.tif").path, "colour"),
            (fixtures.appendingPathComponent("png-rgb-u8/s1.png").path, "colour"),
            (fixtures.appendingPathComponent("multi-u8.tif").path, "3D"),
            (fixtures.appendingPathComponent("fake.png").path, "not a PNG"),
            (flat.path, "one grey value"),
            (scratch("missing.png").path, "no such file"),
        ]
        for (file, why) in cases {
            let run = try TrowelBinary.run(["match", project.path, file])
            let lines = run.stderr.split(separator: "\n")
            #expect(run.status == 1 && lines.count == 1, "\(file): \(run.stderr)")
            #expect(run.stderr.contains(file) && run.stderr.contains(why), "\(run.stderr)")
            #expect(run.stdout.isEmpty)
        }
        let axis = try TrowelBinary.run(["match", project.path, flat.path, "--axis", "w"])
        #expect(axis.status == 1 && axis.stderr.contains("--axis w"), "\(axis.stderr)")
    }
}
