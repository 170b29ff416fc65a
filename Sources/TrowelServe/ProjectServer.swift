import FlyingFox
import FlyingSocks
import Foundation
import Synchronization
import TrowelEngine

/// A read-only HTTP server for one project's Zarr arrays (FlyingFox underneath): `listen`/`close`
/// from async code, `start`/`stop` from a thread of its own (the `trowel serve` command's and the
/// viewer's main thread) — never block a thread of Swift's concurrency pool, which serves the requests.
public final class ProjectServer: Sendable {
    public let tree: ServedTree
    public let address: BindAddress
    public let requestedPort: Int
    /// Where `/neuroglancer` sends the browser (set by whoever knows the state, after `start`).
    public let viewer = ViewerRedirect()
    private let server: HTTPServer
    private let running = Mutex<Task<Void, Never>?>(nil)
    private let failure = Shared<String?>(nil)

    /// Prepares (does not start) a server of `project` on `address:port` (port 0: any free port).
    public init(project: URL, address: BindAddress = .loopback, port: Int = 9000) throws(ServeError) {
        guard (0...65535).contains(port) else { throw .badPort(port) }
        tree = try ServedTree(project: project)
        self.address = address
        requestedPort = port
        let socketAddress: any SocketAddress
        do {
            switch address.family {
            case .ipv4: socketAddress = try sockaddr_in.inet(ip4: address.host, port: UInt16(port))
            case .ipv6: socketAddress = try sockaddr_in6.inet6(ip6: address.host, port: UInt16(port))
            }
        } catch {
            throw .badAddress(address.host)
        }
        server = HTTPServer(config: HTTPServer.Configuration(address: socketAddress, timeout: 30, logger: .disabled),
                            handler: ProjectFilesHandler(tree: tree, viewer: viewer))
    }

    /// Starts listening and returns the port it listens on, once connections are accepted; throws
    /// at once when the address cannot be bound (a port in use, an address not of this machine).
    public func listen() async throws(ServeError) -> Int {
        let server = self.server, failure = self.failure
        let task = Task {
            do { try await server.run() } catch {
                failure.value = Self.describe(error)
            }
        }
        running.withLock { $0 = task }
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if let why = failure.value {
                if why.contains("in use") { throw .portInUse(address.host, requestedPort) }
                throw .cannotListen(address.host, requestedPort, why)
            }
            if let port = await server.listeningAddress.flatMap(Self.port) { return port }
            try? await Task.sleep(nanoseconds: 5_000_000)
        }
        await close()
        throw .cannotListen(address.host, requestedPort, "the server did not start within 10 s")
    }

    /// Closes the listening socket and the open connections (waits at most a second for them).
    public func close() async {
        guard let task = running.withLock({ t in defer { t = nil }; return t }) else { return }
        await server.stop(timeout: 1)
        task.cancel()
    }

    /// `listen`, from a thread outside the concurrency pool.
    public func start() throws(ServeError) -> Int {
        let outcome: Result<Int, ServeError> = Self.blocking {
            do throws(ServeError) { return .success(try await self.listen()) } catch { return .failure(error) }
        }
        return try outcome.get()
    }

    /// Starts listening, points `/neuroglancer` at the view of `project`, and says where it serves.
    public func start(project: Project) throws -> ServeAnnouncement {
        let port = try start()
        do {
            let announcement = ServeAnnouncement(server: self, port: port, state: try NeuroglancerState(project: project, server: self, port: port))
            viewer.target = announcement.neuroglancerURL
            return announcement
        } catch {
            stop()
            throw error
        }
    }

    /// `close`, from a thread outside the concurrency pool; gives up waiting after `timeout`
    /// seconds (a browser may hold a kept-alive connection open; the listening socket is closed at once).
    public func stop(timeout: Double = 2) {
        let done = DispatchSemaphore(value: 0)
        Task {
            await self.close()
            done.signal()
        }
        _ = done.wait(timeout: .now() + timeout)
    }

    /// The base URL clients use, e.g. `http://127.0.0.1:9000`.
    public func baseURL(port: Int) -> String { "http://\(address.urlHost):\(port)" }

    private static func port(_ address: Socket.Address) -> Int? {
        switch address {
        case .ip4(_, let port), .ip6(_, let port): return Int(port)
        case .unix: return nil
        }
    }

    private static func describe(_ error: any Error) -> String {
        if let e = error as? SocketError, case .failed(_, let errno, let message) = e {
            return errno == EADDRINUSE ? "address in use" : message
        }
        return "\(error)"
    }

    /// Runs async work from synchronous code; the caller's thread waits (it must not be one of the pool's).
    private static func blocking<T: Sendable>(_ work: @escaping @Sendable () async -> T) -> T {
        let done = DispatchSemaphore(value: 0)
        let result = Shared<T?>(nil)
        Task {
            result.value = await work()
            done.signal()
        }
        done.wait()
        return result.value!
    }
}

/// A value that several threads read and write under a lock.
private final class Shared<T: Sendable>: Sendable {
    private let lock: Mutex<T>
    init(_ value: T) { lock = Mutex(value) }
    var value: T {
        get { lock.withLock { $0 } }
        set { lock.withLock { $0 = newValue } }
    }
}
