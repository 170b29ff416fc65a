import ArgumentParser
import Foundation
import TrowelServe
import TrowelVolume

/// `trowel serve` over loopback: a phantom's 64³ zstd chunks requested by concurrent kept-alive
/// connections (this benchmark's own small client), for a bounded time. Chunks per second, MB/s
/// and per-request latency; every answer is checked (200 and the file's length).
struct ServeBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Chunks per second that trowel serve answers over loopback (concurrent connections, bounded time)."
    )

    @Option(help: "Phantom side in voxels (chunks are 64³).") var size: Int = 256
    @Option(help: "Concurrent connections.") var connections: Int = 8
    @Option(help: "Seconds to run (at most 60).") var seconds: Double = 5
    @Flag(help: "Print one JSON object.") var json = false

    func run() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("trowel-bench-serve-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let project = folder.appendingPathComponent("P.trowel")
        let phantom = try FossilPhantom(size: size)
        let array = try ZarrArray.create(at: project.appendingPathComponent("volume.zarr/0"), shape: phantom.shape,
                                         chunks: .cube(64), dtype: .u8, cache: ChunkCache(byteBudget: 32 << 20))
        var z = 0
        while z < phantom.shape.z {
            let range = z..<min(z + 64, phantom.shape.z)
            try array.write(try phantom.readSlices(range).converted(to: UInt8.self), at: Index3(z: z, y: 0, x: 0))
            z = range.upperBound
        }
        // Every chunk file, by its URL path and length.
        let root = project.appendingPathComponent("volume.zarr/0")
        var chunks: [(path: String, length: Int)] = []
        let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey, .fileSizeKey])
        while let url = walker?.nextObject() as? URL {
            let values = try url.resourceValues(forKeys: [.isRegularFileKey, .fileSizeKey])
            guard values.isRegularFile == true, !url.lastPathComponent.hasPrefix(".") else { continue }
            let relative = url.standardizedFileURL.path.dropFirst(root.standardizedFileURL.path.count)
            chunks.append(("/volume.zarr/0" + relative, values.fileSize ?? 0))
        }
        chunks.sort { $0.path < $1.path }
        let server = try ProjectServer(project: project, port: 0)
        let port = try server.start()
        defer { server.stop() }

        let duration = min(max(seconds, 0.5), 60)
        let counts = Counts()
        let group = DispatchGroup()
        let start = Date()
        let list = chunks
        for c in 0..<max(1, connections) {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                do {
                    let client = try HTTPProbe(port: port)
                    var i = c * 7
                    var latencies: [Double] = [], bytes = 0, failures = 0
                    while Date().timeIntervalSince(start) < duration {
                        let chunk = list[i % list.count]
                        let t = Date()
                        let answer = try client.send("GET", chunk.path)
                        latencies.append(Date().timeIntervalSince(t))
                        if answer.status == 200 && answer.body.count == chunk.length { bytes += chunk.length } else { failures += 1 }
                        i += 1
                    }
                    counts.add(latencies: latencies, bytes: bytes, failures: failures)
                } catch {
                    counts.add(latencies: [], bytes: 0, failures: 1)
                }
            }
        }
        group.wait()
        let elapsed = Date().timeIntervalSince(start)
        let (latencies, bytes, failures) = counts.total
        let sorted = latencies.sorted()
        func percentile(_ p: Double) -> Double { sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] * 1000 }
        let out: [String: Any] = [
            "benchmark": "serve", "volume": "\(size)^3", "chunk": "64^3 u8 zstd", "chunks_on_disk": chunks.count,
            "mean_chunk_kb": Double(chunks.map(\.length).reduce(0, +)) / Double(max(1, chunks.count)) / 1024,
            "connections": connections, "seconds": elapsed, "requests": latencies.count, "failures": failures,
            "chunks_per_s": Double(latencies.count - failures) / elapsed, "mb_per_s": Double(bytes) / elapsed / 1_048_576,
            "latency_ms_median": percentile(0.5), "latency_ms_p99": percentile(0.99),
            "cores": ProcessInfo.processInfo.activeProcessorCount,
        ]
        if json {
            try BenchSupport.printJSON(out)
        } else {
            print(String(format: "%d chunks/s (%.0f MB/s) over %d connections, median %.2f ms, p99 %.2f ms, %d failures",
                         Int(Double(latencies.count - failures) / elapsed), Double(bytes) / elapsed / 1_048_576, connections,
                         percentile(0.5), percentile(0.99), failures))
        }
    }
}

/// The clients' tallies, added under a lock as each connection finishes.
final class Counts: @unchecked Sendable {
    private let lock = NSLock()
    private var latencies: [Double] = []
    private var bytes = 0
    private var failures = 0

    func add(latencies l: [Double], bytes b: Int, failures f: Int) {
        lock.lock()
        latencies += l
        bytes += b
        failures += f
        lock.unlock()
    }

    var total: ([Double], Int, Int) {
        lock.lock()
        defer { lock.unlock() }
        return (latencies, bytes, failures)
    }
}
