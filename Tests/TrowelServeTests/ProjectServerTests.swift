import Foundation
import Testing
import TrowelServe

/// The real server on a loopback port, in this process, talked to over a socket: bytes, ranges,
/// HEAD, CORS, 404 and 403, a port in use. The server needs threads of Swift's concurrency pool,
/// which the whole suite's blocking tests hold (it failed to start within 10 s in a full run), so
/// these run only when asked (`TROWEL_SERVER_TESTS=1 swift test --filter ProjectServerTests`);
/// ServeCommandTests checks the same answers through the real `trowel serve` process.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["TROWEL_SERVER_TESTS"] != nil))
struct ProjectServerTests {
    /// Runs blocking client code on a thread of its own, so the concurrency pool stays free to serve.
    static func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
        }
    }

    @Test func answersLikeAStaticZarrServer() async throws {
        let folder = try ServedFolder()
        defer { folder.remove() }
        let server = try ProjectServer(project: folder.project, port: 0)
        let port = try await server.listen()
        try await Self.onThread { try Self.exchange(port: port, folder: folder) }
        await server.close()
    }

    static func exchange(port: Int, folder: ServedFolder) throws {
        let client = try HTTPProbe(port: port)
        let whole = try client.send("GET", "/volume.zarr/0/0/0/0")
        #expect(whole.status == 200)
        #expect(whole.body == folder.chunk)
        #expect(whole.headers["access-control-allow-origin"] == "*")
        #expect(whole.headers["access-control-expose-headers"]?.contains("Content-Range") == true)
        #expect(whole.headers["accept-ranges"] == "bytes")
        let part = try client.send("GET", "/volume.zarr/0/0/0/0", headers: ["Range": "bytes=100-199"])
        #expect(part.status == 206)
        #expect(part.body == folder.chunk[100..<200])
        #expect(part.headers["content-range"] == "bytes 100-199/1000")
        let tail = try client.send("GET", "/volume.zarr/0/0/0/0", headers: ["Range": "bytes=-10"])
        #expect(tail.body == folder.chunk.suffix(10))
        let beyond = try client.send("GET", "/volume.zarr/0/0/0/0", headers: ["Range": "bytes=1000-"])
        #expect(beyond.status == 416)
        #expect(beyond.headers["content-range"] == "bytes */1000")
        let head = try client.send("HEAD", "/volume.zarr/0/0/0/0")
        #expect(head.status == 200)
        #expect(head.headers["content-length"] == "1000")
        let preflight = try client.send("OPTIONS", "/volume.zarr/0/0/0/0", headers: ["Access-Control-Request-Headers": "range"])
        #expect(preflight.status == 204)
        #expect(preflight.headers["access-control-allow-methods"]?.contains("GET") == true)
        #expect(preflight.headers["access-control-allow-headers"] == "range")
        #expect(try client.send("GET", "/volume.zarr/0/5/5/5").status == 404)
        #expect(try client.send("GET", "/project.sqlite").status == 404)
        #expect(try client.send("GET", "/volume.zarr/../project.sqlite").status == 403)
        #expect(try client.send("GET", "/volume.zarr/%2e%2e/project.sqlite").status == 403)
        #expect(try client.send("GET", "/volume.zarr/0/db").status == 403)
        #expect(try client.send("GET", "/volume.zarr/0/out").status == 403)
        #expect(try client.send("PUT", "/volume.zarr/0/0/0/0").status == 405)
        // Nothing was written: the chunk is as it was.
        #expect(try Data(contentsOf: folder.project.appendingPathComponent("volume.zarr/0/0/0/0")) == folder.chunk)
    }

    @Test func aPortInUseIsAOneLineErrorAndStopClosesThePort() async throws {
        let folder = try ServedFolder()
        defer { folder.remove() }
        let first = try ProjectServer(project: folder.project, port: 0)
        let port = try await first.listen()
        let second = try ProjectServer(project: folder.project, port: port)
        await #expect(throws: ServeError.portInUse("127.0.0.1", port)) { try await second.listen() }
        #expect(try await Self.onThread { try HTTPProbe(port: port).send("GET", "/volume.zarr/.zattrs").status } == 200)
        await first.close()
        await #expect(throws: HTTPProbe.Failure.self) { try await Self.onThread { try HTTPProbe(port: port).send("GET", "/volume.zarr/.zattrs") } }
        #expect(throws: ServeError.badAddress("example.org")) { try BindAddress("example.org") }
        #expect(try BindAddress("0.0.0.0").isLoopback == false)
        #expect(try BindAddress("localhost").isLoopback)
    }
}
