import Foundation
import Testing
import TrowelEngine
import TrowelVolume

/// Issue 11 with the real binary: painted, undone and imported labels survive a deleted and a
/// corrupt labels chunk through `trowel labels check --rebuild`; until then training refuses with
/// one line naming the chunk, its slices and the command.
@Suite(.serialized) struct LabelRebuildCommandTests {
    @Test func aDeletedAndACorruptChunkAreRebuiltFromTheLog() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let project = scratch("p.trowel")
        // 12 × 96 × 96: labels in 12 × 64 × 64 chunks, four of them.
        let sample = try TrowelBinary.run(["sample", "-o", scratch("s").path, "--size", "96", "--slices", "12"])
        let convert = try TrowelBinary.run(["convert", scratch("s/scan.zarr").path, "-o", project.path])
        #expect(sample.status == 0 && convert.status == 0, "\(sample.stderr) \(convert.stderr)")
        let steps = [StrokeScript.Step(slice: 5, value: 1, radius: 2, points: [[20, 20], [30, 40]]),
                     StrokeScript.Step(slice: 5, value: 2, radius: 3, points: [[25, 30], [75, 80]]),
                     StrokeScript.Step(slice: 6, value: 2, radius: 2, points: [[70, 70], [80, 90]]),
                     StrokeScript.Step(undo: true)]
        try JSONEncoder().encode(steps).write(to: scratch("strokes.json"))
        let paint = try TrowelBinary.run(["labels", "paint", project.path, "--author", "ann", "--strokes", scratch("strokes.json").path])
        #expect(paint.status == 0, "\(paint.stderr)")
        var imported = [UInt8](repeating: 0, count: 12 * 96 * 96)
        for i in stride(from: 2 * 96 * 96, to: 3 * 96 * 96, by: 3) { imported[i] = 1 }
        try Data(imported).write(to: scratch("labels.raw"))
        let importing = try TrowelBinary.run(["labels", "import", project.path, scratch("labels.raw").path,
                                              "--shape", "12,96,96", "--dtype", "u8", "--author", "ben"])
        #expect(importing.status == 0, "\(importing.stderr)")
        let log = try TrowelBinary.run(["labels", "log", project.path, "--author", "ben", "--json"])
        #expect(log.status == 0 && log.stdout.contains("\"author\":\"ben\""), "\(log.stdout) \(log.stderr)")

        let labelsURL = project.appendingPathComponent("labels.zarr")
        func labels() throws -> [UInt8] {
            let array = try ZarrArray.open(at: labelsURL)
            return try array.read(array.shape.box, as: UInt8.self).elements
        }
        let before = try labels()
        #expect(before[6 * 96 * 96 + 75 * 96 + 75] == 0, "the undone stroke left nothing")
        #expect(before[5 * 96 * 96 + 20 * 96 + 20] == 1 && before[2 * 96 * 96] == 1)
        try FileManager.default.removeItem(at: labelsURL.appendingPathComponent("0/0/0"))
        try Data("garbage, not a zstd frame".utf8).write(to: labelsURL.appendingPathComponent("0/1/1"))

        let check = try TrowelBinary.run(["labels", "check", project.path, "--log"])
        #expect(check.status == 1 && check.stderr.split(separator: "\n").count == 1 && check.stderr.contains("--rebuild"), "\(check.stderr)")
        try AuditDefectTests.expectOneLine(["train", project.path, "--no-auto", "--trees", "2", "--sigma", "1"],
                                           ["labels.zarr/0/0/0 (slices 0–11, rows 0–63, columns 0–63) is missing",
                                            "trowel labels check \(project.path) --rebuild"])

        let rebuild = try TrowelBinary.run(["labels", "check", project.path, "--log", "--rebuild"])
        #expect(rebuild.status == 0, "\(rebuild.stdout) \(rebuild.stderr)")
        #expect(rebuild.stdout.contains("labels.zarr/0/0/0 (slices 0–11, rows 0–63, columns 0–63) missing: rebuilt from the stroke log"), "\(rebuild.stdout)")
        #expect(rebuild.stdout.contains("on slices 2–5)"), "\(rebuild.stdout)")
        #expect(rebuild.stdout.contains("labels.zarr/0/1/1 (slices 0–11, rows 64–95, columns 64–95) cannot be read: moved to labels.zarr/.damaged/"), "\(rebuild.stdout)")
        #expect(rebuild.stdout.contains("rebuilt 2 chunk(s); labels match the stroke log"), "\(rebuild.stdout)")
        #expect(try labels() == before)
        let again = try TrowelBinary.run(["labels", "check", project.path, "--log"])
        #expect(again.status == 0 && again.stdout.contains("labels match the stroke log"), "\(again.stdout) \(again.stderr)")
        let train = try TrowelBinary.run(["train", project.path, "--no-auto", "--trees", "2", "--sigma", "1"])
        #expect(train.status == 0, "\(train.stderr)")
    }
}
