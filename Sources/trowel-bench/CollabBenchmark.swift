import ArgumentParser
import Foundation
import TrowelEngine
import TrowelVolume

/// Several annotators on one project: strokes per second with 1, 2 and 4 writer processes painting
/// the same chunks at once (each a `LabelStore` with its own chunk locks and database connection,
/// started together), and how long until another session's `refresh()` — what the viewer polls
/// every 0.5 s — sees a stroke.
struct CollabBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collab",
        abstract: "Strokes per second with 1, 2 and 4 writers on one project, and the latency until another session sees a stroke."
    )

    @Option(help: "Phantom side in voxels (labels in 64³ chunks).") var size: Int = 128
    @Option(help: "Strokes per writer.") var strokes: Int = 60
    @Option(help: "Points (paint writes) per stroke.") var points: Int = 5
    @Option(help: "Brush radius.") var radius: Int = 4
    @Option(help: "Strokes timed for the latency.") var samples: Int = 40
    @Flag(help: "Print one JSON object.") var json = false
    /// Internal: run as one writer process of a measurement (project path, writer number, start time).
    @Option(help: .hidden) var writer: String?

    struct Row: Encodable {
        var writers: Int
        var strokes: Int
        var writes: Int
        var seconds: Double
        var strokesPerSecond: Double
        var writesPerSecond: Double
        /// Every voxel holds what its last logged edit wrote.
        var consistent: Bool

        enum CodingKeys: String, CodingKey {
            case writers, strokes, writes, seconds, consistent
            case strokesPerSecond = "strokes_per_s"
            case writesPerSecond = "writes_per_s"
        }
    }

    struct Report: Encodable {
        var benchmark = "collab"
        var volume: String
        var stroke: String
        var rows: [Row]
        /// From the start of a stroke in one session until another session's refresh has it.
        var seeMsMedian: Double
        var seeMsP90: Double
        /// What the viewer adds: it polls every `pollMs`, so a stroke shows after about see + poll/2 on average.
        var pollMs: Double
        var cores: Int

        enum CodingKeys: String, CodingKey {
            case benchmark, volume, stroke, rows, cores
            case seeMsMedian = "see_ms_median"
            case seeMsP90 = "see_ms_p90"
            case pollMs = "viewer_poll_ms"
        }
    }

    struct WriterResult: Codable {
        var strokes: Int
        var writes: Int
        var started: Double
        var ended: Double
    }

    func run() throws {
        if let writer { return try runWriter(writer) }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("trowel-bench-collab-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let phantom = try FossilPhantom(size: size, slices: 32)
        let template = folder.appendingPathComponent("template.trowel")
        _ = try ProjectBuilder().build(from: phantom, at: template)
        var rows: [Row] = []
        for writers in [1, 2, 4] {
            let project = folder.appendingPathComponent("w\(writers).trowel")
            try FileManager.default.copyItem(at: template, to: project)
            let start = Date().timeIntervalSince1970 + 1.0
            let processes = try (0..<writers).map { n -> (Process, Pipe) in
                let p = Process(), out = Pipe()
                p.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
                p.arguments = ["collab", "--writer", "\(project.path),\(n),\(start)", "--strokes", "\(strokes)", "--points", "\(points)",
                               "--radius", "\(radius)", "--size", "\(size)"]
                p.standardOutput = out
                try p.run()
                return (p, out)
            }
            var results: [WriterResult] = []
            for (p, out) in processes {
                let data = out.fileHandleForReading.readDataToEndOfFile()
                p.waitUntilExit()
                guard p.terminationStatus == 0 else { throw BenchError("writer process failed with status \(p.terminationStatus)") }
                results.append(try JSONDecoder().decode(WriterResult.self, from: data))
            }
            let seconds = (results.map(\.ended).max() ?? 0) - (results.map(\.started).min() ?? 0)
            let total = results.map(\.strokes).reduce(0, +), writes = results.map(\.writes).reduce(0, +)
            let consistent = try StrokeLog(project: try Project.open(at: project)).mismatches(limit: 1).isEmpty
            rows.append(Row(writers: writers, strokes: total, writes: writes, seconds: seconds, strokesPerSecond: Double(total) / seconds,
                            writesPerSecond: Double(writes) / seconds, consistent: consistent))
        }
        let latencies = try measureLatency(template).sorted()
        func percentile(_ p: Double) -> Double { latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] * 1000 }
        let report = Report(volume: "\(size)x\(size)x32", stroke: "\(points) writes of a radius-\(radius) brush, all writers in the same 2x2 chunks",
                            rows: rows, seeMsMedian: percentile(0.5), seeMsP90: percentile(0.9), pollMs: 500,
                            cores: ProcessInfo.processInfo.activeProcessorCount)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            for r in rows {
                print(String(format: "%d writer(s): %.0f strokes/s (%.0f writes/s)%@", r.writers, r.strokesPerSecond, r.writesPerSecond,
                             r.consistent ? "" : "  LABELS DIFFER FROM THE LOG"))
            }
            print(String(format: "another session sees a stroke after %.1f ms (median; p90 %.1f ms) + the viewer's 500 ms poll",
                         report.seeMsMedian, report.seeMsP90))
        }
    }

    /// Writer `n`'s strokes: across the 2×2 chunks around row and column 64, on slices 10–13.
    static func dabs(writer n: Int, stroke i: Int, points: Int, radius: Int, size: Int) -> [PaintDab] {
        let centre = min(64, size / 2)
        return (0..<points).map { p in
            PaintDab(axis: .z, slice: 10 + (i + n) % 4, row: centre - 20 + (i * 7 + n * 13 + p * 3) % 40,
                     column: centre - 20 + (i * 11 + n * 5 + p * 5) % 40, radius: radius, value: UInt8(1 + (i + n) % 2))
        }
    }

    /// One writer process: waits for the common start, paints, prints its times as JSON.
    func runWriter(_ spec: String) throws {
        let parts = spec.split(separator: ",")
        guard parts.count == 3, let n = Int(parts[1]), let start = Double(parts[2]) else { throw BenchError("--writer \(spec)") }
        let project = try Project.open(at: URL(fileURLWithPath: String(parts[0])))
        let store = try LabelStore(project: project, shape: try project.record().shape, author: "writer\(n)", writable: true)
        let wait = start - Date().timeIntervalSince1970
        if wait > 0 { Thread.sleep(forTimeInterval: wait) }
        let began = Date().timeIntervalSince1970
        var writes = 0
        for i in 0..<strokes {
            for (p, dab) in Self.dabs(writer: n, stroke: i, points: points, radius: radius, size: size).enumerated() {
                try store.paint([dab], newStroke: p == 0) { _ in Block(shape: Shape(z: 1, y: 1, x: 1), repeating: 0) }
                writes += 1
            }
            try store.endStroke()
        }
        let result = WriterResult(strokes: strokes, writes: writes, started: began, ended: Date().timeIntervalSince1970)
        print(String(decoding: try JSONEncoder().encode(result), as: UTF8.self))
    }

    /// Seconds from the start of a one-write stroke in one session until another session's refresh returns it.
    func measureLatency(_ template: URL) throws -> [Double] {
        let url = template.deletingLastPathComponent().appendingPathComponent("latency.trowel")
        try FileManager.default.copyItem(at: template, to: url)
        let shape = try Project.open(at: url).record().shape
        let painter = try LabelStore(project: try Project.open(at: url), shape: shape, author: "alice", writable: true)
        nonisolated(unsafe) let viewer = try LabelStore(project: try Project.open(at: url), shape: shape, author: "bob", writable: true)
        let seen = Locked(0.0)
        let stop = Locked(false)
        let posted = Locked<Double?>(nil)
        let reader = Thread {
            while !stop.value {
                if let t0 = posted.value, let boxes = try? viewer.refresh(), !boxes.isEmpty {
                    seen.value = Date().timeIntervalSince1970 - t0
                    posted.value = nil
                }
                usleep(200)
            }
        }
        reader.start()
        defer { stop.value = true }
        var out: [Double] = []
        for i in 0..<samples {
            let dab = Self.dabs(writer: 0, stroke: i, points: 1, radius: radius, size: size)[0]
            posted.value = Date().timeIntervalSince1970
            try painter.paint([dab], newStroke: true) { _ in Block(shape: Shape(z: 1, y: 1, x: 1), repeating: 0) }
            try painter.endStroke()
            while posted.value != nil { usleep(100) }
            out.append(seen.value)
        }
        return out
    }
}

/// A value shared between the latency benchmark's painter and reader threads.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value {
        get { lock.lock(); defer { lock.unlock() }; return stored }
        set { lock.lock(); stored = newValue; lock.unlock() }
    }
}
