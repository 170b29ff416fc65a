import Foundation

/// A small blocking HTTP/1.1 client over one kept-alive loopback connection: what the benchmark
/// (`trowel-bench serve`) and the tests use to talk to a `ProjectServer` without a browser.
public final class HTTPProbe {
    /// One answer: status, headers (names lower-cased) and body.
    public struct Response: Sendable {
        public var status: Int
        public var headers: [String: String]
        public var body: Data
    }

    public enum Failure: Error, CustomStringConvertible {
        case connect(Int, String)
        case closed
        case malformed(String)

        public var description: String {
            switch self {
            case .connect(let port, let why): return "cannot connect to 127.0.0.1:\(port): \(why)"
            case .closed: return "the server closed the connection"
            case .malformed(let what): return "malformed answer: \(what)"
            }
        }
    }

    private let fd: Int32
    private var buffer = Data()

    /// Connects to `127.0.0.1:port`, with a receive timeout of `timeout` seconds.
    public init(port: Int, timeout: Double = 10) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure.connect(port, String(cString: strerror(errno))) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var tv = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - timeout.rounded(.down)) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            let why = String(cString: strerror(errno))
            close(fd)
            throw Failure.connect(port, why)
        }
    }

    deinit { close(fd) }

    /// Sends one request for the raw `target` (sent as given, so tests can send `..`) and reads the answer.
    public func send(_ method: String = "GET", _ target: String, headers: [String: String] = [:]) throws -> Response {
        var request = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n"
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { request += "\(name): \(value)\r\n" }
        request += "\r\n"
        let bytes = Array(request.utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw Failure.closed }
            sent += n
        }
        let head = try readHead()
        let lines = head.split(separator: "\r\n", omittingEmptySubsequences: false)
        let statusParts = lines.first?.split(separator: " ") ?? []
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { throw Failure.malformed(String(lines.first ?? "")) }
        var fields: [String: String] = [:]
        for line in lines.dropFirst() where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let length = method == "HEAD" ? 0 : Int(fields["content-length"] ?? "0") ?? 0
        return Response(status: status, headers: fields, body: try read(length))
    }

    private func readHead() throws -> String {
        let separator = Data("\r\n\r\n".utf8)
        while true {
            if let r = buffer.range(of: separator) {
                let head = String(decoding: buffer[buffer.startIndex..<r.lowerBound], as: UTF8.self)
                buffer = Data(buffer[r.upperBound...])
                return head
            }
            try fill()
        }
    }

    private func read(_ count: Int) throws -> Data {
        while buffer.count < count { try fill() }
        let out = Data(buffer.prefix(count))
        buffer = Data(buffer.dropFirst(count))
        return out
    }

    private func fill() throws {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { throw Failure.closed }
        buffer.append(contentsOf: chunk[0..<n])
    }
}
