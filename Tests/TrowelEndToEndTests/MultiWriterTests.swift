import Foundation
import Testing
import TrowelEngine
import TrowelVolume

/// Issue 14 with the real binary: several `trowel labels paint` processes paint overlapping strokes
/// into one project at the same time; afterwards every voxel holds the value of the last stroke
/// (edit) in the log that covered it, nothing scripted is missing, an undo took back only its own
/// voxels, and a writer killed with `kill -9` mid-stroke harms nobody.
@Suite(.serialized) struct MultiWriterTests {
    /// A 96 × 96 × 12 sample project (labels in 64 × 64 × 12 chunks, so strokes around row and
    /// column 64 cross chunk borders), made once and copied for each use.
    func prepare(_ scratch: Scratch) throws -> URL {
        let project = scratch("p.trowel")
        try FileManager.default.copyItem(at: try Self.template.get(), to: project)
        return project
    }

    /// Where the template lives; removed when the test process exits.
    static let templateFolder = FileManager.default.temporaryDirectory.appendingPathComponent("trowel-multiwriter-\(getpid())")

    static let template = Result<URL, Error> {
        let folder = templateFolder
        let project = folder.appendingPathComponent("p.trowel")
        if FileManager.default.fileExists(atPath: project.path) { return project }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(at: MultiWriterTests.templateFolder) }
        let sample = try TrowelBinary.run(["sample", "-o", folder.appendingPathComponent("s").path, "--size", "96", "--slices", "12"])
        let convert = try TrowelBinary.run(["convert", folder.appendingPathComponent("s/scan.zarr").path, "-o", project.path])
        guard sample.status == 0, convert.status == 0 else { throw Spawn.Failure(description: sample.stderr + convert.stderr) }
        return project
    }

    /// Writer `n`'s script: strokes across the shared region of slices 5 and 6, alternating classes;
    /// with `undo`, the last stroke is undone.
    func script(_ n: Int, strokes: Int, undo: Bool) -> [StrokeScript.Step] {
        var steps = (0..<strokes).map { i -> StrokeScript.Step in
            // Around row and column 64, so strokes cross chunk borders.
            let row = 48 + (i * 7 + n * 5) % 24, column = 46 + (i * 3 + n * 11) % 16
            return StrokeScript.Step(slice: 5 + i % 2, value: 1 + (i + n) % 2, radius: 1 + (i + n) % 3,
                                     points: [[row, column], [row + 3, column + 9], [row + 6, column + 14]])
        }
        if undo { steps.append(StrokeScript.Step(undo: true)) }
        return steps
    }

    /// The voxels a step covers, as `StrokeScript.run` paints them.
    func coverage(_ step: StrokeScript.Step, shape: Shape) -> Set<Int64> {
        var out = Set<Int64>()
        var previous: (Int, Int)?
        for p in step.points ?? [] {
            let dab = PaintDab(axis: .z, slice: step.slice!, row: p[0], column: p[1], radius: step.radius!, value: UInt8(step.value!))
            for d in previous.map({ dab.line(from: $0.0, $0.1) }) ?? [dab] {
                for (dr, dc) in d.offsets {
                    let v = d.voxel(dr: dr, dc: dc)
                    if shape.box.contains(v) { out.insert((Int64(v.z) * Int64(shape.y) + Int64(v.y)) * Int64(shape.x) + Int64(v.x)) }
                }
            }
            previous = (p[0], p[1])
        }
        return out
    }

    /// Starts `writers` painters at once and waits for them; returns their scripts.
    func paintTogether(_ project: URL, _ scratch: Scratch, writers: Int, strokes: Int, undoBy: Int?) throws -> [[StrokeScript.Step]] {
        var scripts: [[StrokeScript.Step]] = []
        var pids: [pid_t] = []
        for n in 0..<writers {
            let steps = script(n, strokes: strokes, undo: n == undoBy)
            scripts.append(steps)
            let file = scratch("w\(n).json")
            try JSONEncoder().encode(steps).write(to: file)
            pids.append(try Spawn.start([TrowelBinary.url.path, "labels", "paint", project.path, "--author", "w\(n)",
                                         "--strokes", file.path, "--pause", "0.001", "--json"],
                                        output: .files(output: scratch("w\(n).out").path, error: scratch("w\(n).err").path)))
        }
        for (n, pid) in pids.enumerated() {
            let status = Spawn.wait(pid)
            #expect(status == 0, "writer \(n): \((try? String(contentsOf: scratch("w\(n).err"), encoding: .utf8)) ?? "")")
        }
        return scripts
    }

    /// Every stroke that is not undone holds, at each voxel, the value of the last such edit in the
    /// log covering it; voxels only undone strokes covered are unlabelled; nothing scripted is missing.
    func check(_ projectURL: URL, scripts: [[StrokeScript.Step]]) throws {
        let project = try Project.open(at: projectURL)
        let shape = try project.record().shape
        let log = StrokeLog(project: project)
        #expect(try log.mismatches().isEmpty)
        let entries = try log.entries()
        let undone = Set(entries.filter(\.undone).map(\.id))
        let edits = try log.edits()
        #expect(edits.allSatisfy { $0.committed })
        var expected: [Int64: UInt8] = [:]
        var onlyUndone = Set<Int64>()
        for e in edits where e.kind == .paint {
            for r in e.voxels {
                if undone.contains(e.stroke) { onlyUndone.insert(r.index) } else { expected[r.index] = r.new }
            }
        }
        onlyUndone.subtract(expected.keys)
        let labels = try ZarrArray.open(at: projectURL.appendingPathComponent("labels.zarr"))
        let all = try labels.read(labels.shape.box, as: UInt8.self).elements
        var wrong = 0
        for (i, v) in expected where all[Int(i)] != v { wrong += 1 }
        #expect(wrong == 0, "\(wrong) voxels do not hold the last stroke's value")
        #expect(onlyUndone.allSatisfy { all[Int($0)] == 0 }, "an undone stroke left voxels behind")
        // Nothing lost: each writer's log covers exactly what its script painted.
        for (n, steps) in scripts.enumerated() {
            let scripted = steps.filter { $0.undo != true }.reduce(into: Set<Int64>()) { $0.formUnion(coverage($1, shape: shape)) }
            let logged = edits.filter { $0.author == "w\(n)" && $0.kind == .paint }.reduce(into: Set<Int64>()) { $0.formUnion($1.voxels.map(\.index)) }
            #expect(scripted == logged, "writer \(n): \(scripted.subtracting(logged).count) scripted voxels not logged")
            #expect(entries.filter { $0.author == "w\(n)" }.count == steps.filter { $0.undo != true }.count)
        }
    }

    @Test func twoAndFourWritersPaintingTogetherLoseNothing() throws {
        for writers in [2, 4] {
            let scratch = try Scratch()
            defer { scratch.remove() }
            let project = try prepare(scratch)
            let scripts = try paintTogether(project, scratch, writers: writers, strokes: 12, undoBy: 1)
            try check(project, scripts: scripts)
            // Who did what: the log, one author's export, and agreement between two.
            let log = try TrowelBinary.run(["labels", "log", project.path, "--author", "w0", "--json"])
            #expect(log.status == 0 && log.stdout.components(separatedBy: "\"author\":\"w0\"").count - 1 == 12, "\(log.stderr)")
            let export = try TrowelBinary.run(["labels", "export", project.path, "--author", "w1", "-o", scratch("w1.zarr").path, "--json"])
            #expect(export.status == 0, "\(export.stderr)")
            let w1 = try AuthorLabels(project: try Project.open(at: project), author: "w1")
            let exported = try ZarrArray.open(at: scratch("w1.zarr"))
            let values = try exported.read(exported.shape.box, as: UInt8.self).elements
            #expect(values.filter { $0 != 0 }.count == w1.voxels.values.filter { $0 != 0 }.count && !w1.voxels.isEmpty)
            let agreement = try TrowelBinary.run(["labels", "agreement", project.path, "w0", "w1", "--json"])
            #expect(agreement.status == 0 && agreement.stdout.contains("\"both_voxels\""), "\(agreement.stderr)")
        }
    }

    @Test func aWriterKilledMidStrokeLeavesTheProjectOpenableAndTheOthersWhole() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let project = try prepare(scratch)
        // The victim paints slowly, so the kill lands mid-stroke.
        let slow = (0..<4).map { i in StrokeScript.Step(slice: 5, value: 2, radius: 2, points: (0..<40).map { [10 + i * 6, 4 + $0] }) }
        try JSONEncoder().encode(slow).write(to: scratch("victim.json"))
        let victim = try Spawn.start([TrowelBinary.url.path, "labels", "paint", project.path, "--author", "victim",
                                      "--strokes", scratch("victim.json").path, "--pause", "0.02"], output: .discarded)
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if let p = try? Project.open(at: project), let n = try? StrokeLog(project: p).edits().count, n >= 10 { break }
            usleep(20_000)
        }
        let scripts = try paintTogether(project, scratch, writers: 2, strokes: 8, undoBy: nil)
        kill(victim, SIGKILL)
        #expect(Spawn.wait(victim) == 128 + SIGKILL)
        let victimEdits = try StrokeLog(project: try Project.open(at: project)).edits().filter { $0.author == "victim" }.count
        #expect(victimEdits >= 10 && victimEdits < 160, "the kill landed mid-script (\(victimEdits) of 160 writes)")
        // The project opens and its labels are whole; the next writer finishes the victim's last
        // edit if the kill fell between logging it and writing it; the others' strokes all hold.
        let info = try TrowelBinary.run(["labels", "check", project.path, "--log"])
        #expect(info.status == 0, "\(info.stdout) \(info.stderr)")
        let more = try TrowelBinary.run(["labels", "paint", project.path, "--author", "late", "--strokes", scratch("w0.json").path])
        #expect(more.status == 0, "\(more.stderr)")
        try check(project, scripts: scripts)
    }
}
