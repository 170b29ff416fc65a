import Foundation
import Testing
import TrowelVolume

/// `trowel train` tunes a clean-up on the held-out slices and `trowel segment` writes it beside
/// the segmentation: one bright disc (the target) among bright specks that a forest with only the
/// finest scale calls target too; keeping the largest component removes them.
@Suite struct CleanupCommandTests {
    @Test func anAdoptedCleanupIsWrittenAsTheCleanedSegmentation() throws {
        let scratch = try Scratch()
        let shape = Shape(z: 9, y: 48, x: 48)
        var scan = [UInt8](repeating: 0, count: shape.voxelCount), labels = scan
        var state: UInt64 = 9
        for z in 0..<shape.z {
            for y in 0..<shape.y {
                for x in 0..<shape.x {
                    let i = shape.offset(z: z, y: y, x: x)
                    let target = (y - 24) * (y - 24) + (x - 24) * (x - 24) <= 100
                    let speck = (y % 12 < 2) && (x % 12 < 2) && (y < 8 || y > 40 || x < 8 || x > 40)
                    state = state &* 6364136223846793005 &+ 1442695040888963407
                    scan[i] = UInt8(((target || speck) ? 170 : 60) + Int((state >> 33) % 30))
                    if [1, 4, 7].contains(z) { labels[i] = target ? 1 : 2 }
                }
            }
        }
        try Data(scan).write(to: scratch("scan.raw"))
        try Data(labels).write(to: scratch("labels.raw"))
        let project = scratch("P.trowel").path
        let convert = try TrowelBinary.run(["convert", scratch("scan.raw").path, "--shape", "9,48,48", "--dtype", "u8", "-o", project])
        #expect(convert.status == 0, "\(convert.stderr)")
        let imported = try TrowelBinary.run(["labels", "import", project, scratch("labels.raw").path, "--shape", "9,48,48", "--dtype", "u8"])
        #expect(imported.status == 0, "\(imported.stderr)")
        let train = try TrowelBinary.run(["train", project, "--json", "--sigma", "0.5:0.5", "--trees", "10"])
        #expect(train.status == 0, "\(train.stderr)")
        let report = try LearningCommandTests.json(train.stdout)
        let cleanup = try #require(report["cleanup"] as? [String: Any], "\(train.stdout)")
        let step = try #require(cleanup["step"] as? [String: Any], "\(cleanup)")
        #expect(step["class"] as? Int == 1 && (step["keep_largest"] as? Int == 1 || step["min_size"] is Int), "\(cleanup)")
        let id = try #require(report["model"] as? String)

        let segment = try TrowelBinary.run(["segment", project, "--json"])
        #expect(segment.status == 0, "\(segment.stderr)")
        let summary = try #require(try LearningCommandTests.json(segment.stdout.split(separator: "\n").last.map(String.init) ?? ""))
        let cleaned = try #require(summary["cleaned"] as? [String: Any], "\(segment.stdout)")
        #expect((cleaned["segmentation"] as? String)?.hasSuffix("segmentations/\(id)-cleaned.zarr") == true)
        func read(_ name: String) throws -> Block<UInt8> {
            let volume = try MultiscaleVolume.open(at: scratch("P.trowel/segmentations/\(name).zarr"))
            return try volume.read(volume.shape.box).converted(to: UInt8.self)
        }
        let raw = try read(id), clean = try read(id + "-cleaned")
        // Target voxels far from the disc: some in the raw segmentation, none once cleaned.
        func outside(_ b: Block<UInt8>) -> Int {
            var n = 0
            for z in 0..<shape.z {
                for y in 0..<shape.y {
                    for x in 0..<shape.x where b[z, y, x] == 1 && (y - 24) * (y - 24) + (x - 24) * (x - 24) > 144 { n += 1 }
                }
            }
            return n
        }
        #expect(outside(raw) > 0)
        #expect(outside(clean) == 0)
        // The disc itself stays.
        #expect(clean[4, 24, 24] == 1)

        // Without tuning there is no clean-up to write.
        let plain = try TrowelBinary.run(["train", project, "--json", "--sigma", "0.5:0.5", "--trees", "10", "--no-tune-cleanup"])
        #expect(plain.status == 0)
        #expect(try LearningCommandTests.json(plain.stdout)["cleanup"] == nil)
    }
}
