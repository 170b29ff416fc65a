import FlyingFox
import Foundation

/// Answers GET, HEAD and OPTIONS for the files of a `ServedTree`, read-only, with CORS headers
/// (neuroglancer runs on another origin), single byte ranges, and 404 for absent chunks; and
/// `/neuroglancer`, a redirect to the neuroglancer view of the project.
public struct ProjectFilesHandler: HTTPHandler {
    public let tree: ServedTree
    public let viewer: ViewerRedirect

    public init(tree: ServedTree, viewer: ViewerRedirect = ViewerRedirect()) {
        self.tree = tree
        self.viewer = viewer
    }

    /// Headers every answer carries, so a browser on any origin may read the body and the range headers.
    static let cors: [(HTTPHeader, String)] = [
        (HTTPHeader("Access-Control-Allow-Origin"), "*"),
        (HTTPHeader("Access-Control-Expose-Headers"), "Content-Range, Content-Length, Accept-Ranges"),
    ]

    public func handleRequest(_ request: HTTPRequest) async throws -> HTTPResponse {
        answer(method: request.method, rawPath: request.target.path(), headers: request.headers)
    }

    /// The whole answer for one request (separate from the transport so it reads as a table).
    func answer(method: HTTPMethod, rawPath: String, headers: HTTPHeaders) -> HTTPResponse {
        switch method {
        case .OPTIONS:
            var h = Self.headers()
            h[HTTPHeader("Access-Control-Allow-Methods")] = "GET, HEAD, OPTIONS"
            h[HTTPHeader("Access-Control-Allow-Headers")] = headers[HTTPHeader("Access-Control-Request-Headers")] ?? "Range"
            h[HTTPHeader("Access-Control-Max-Age")] = "86400"
            return HTTPResponse(statusCode: .noContent, headers: h)
        case .GET where rawPath == ViewerRedirect.path, .HEAD where rawPath == ViewerRedirect.path:
            guard let target = viewer.target else { return Self.text(.notFound, "not found") }
            var h = Self.headers()
            h[.location] = target
            return Self.text(.found, "see \(target)", headers: h)
        case .GET, .HEAD:
            return file(rawPath, range: headers[.range], bodyWanted: method == .GET)
        default:
            var h = Self.headers()
            h[HTTPHeader("Allow")] = "GET, HEAD, OPTIONS"
            return Self.text(.methodNotAllowed, "read-only: only GET, HEAD and OPTIONS", headers: h)
        }
    }

    private func file(_ rawPath: String, range header: String?, bodyWanted: Bool) -> HTTPResponse {
        let url: URL
        switch tree.resolve(rawPath) {
        case .notFound: return Self.text(.notFound, "not found")
        case .refused(let why): return Self.text(.forbidden, "refused: \(why)")
        case .file(let u): url = u
        }
        guard let handle = try? FileHandle(forReadingFrom: url) else { return Self.text(.notFound, "not found") }
        defer { try? handle.close() }
        guard let end = try? handle.seekToEnd() else { return Self.text(.internalServerError, "cannot read the file") }
        let length = Int(end)
        var h = Self.headers()
        h[.contentType] = Self.contentType(url.lastPathComponent)
        h[.acceptRanges] = "bytes"
        h[HTTPHeader("Cache-Control")] = "no-cache"
        let bytes: Range<Int>
        let status: HTTPStatusCode
        switch RangeRequest(header: header, length: length) {
        case .whole:
            bytes = 0..<length
            status = .ok
        case .bytes(let r):
            bytes = r
            status = .partialContent
            h[.contentRange] = "bytes \(r.lowerBound)-\(r.upperBound - 1)/\(length)"
        case .unsatisfiable:
            h[.contentRange] = "bytes */\(length)"
            return Self.text(.rangeNotSatisfiable, "range not satisfiable: the file has \(length) bytes", headers: h)
        }
        h[.contentLength] = String(bytes.count)
        guard bodyWanted else { return HTTPResponse(statusCode: status, headers: h) }
        do {
            try handle.seek(toOffset: UInt64(bytes.lowerBound))
            let data = try handle.read(upToCount: bytes.count) ?? Data()
            guard data.count == bytes.count else { return Self.text(.internalServerError, "the file changed while it was read") }
            return HTTPResponse(statusCode: status, headers: h, body: data)
        } catch {
            return Self.text(.internalServerError, "cannot read the file")
        }
    }

    static func headers() -> HTTPHeaders {
        var h = HTTPHeaders()
        for (name, value) in cors { h[name] = value }
        return h
    }

    static func text(_ status: HTTPStatusCode, _ message: String, headers: HTTPHeaders = ProjectFilesHandler.headers()) -> HTTPResponse {
        var h = headers
        h[.contentType] = "text/plain; charset=utf-8"
        h[.contentLength] = nil
        return HTTPResponse(statusCode: status, headers: h, body: Data((message + "\n").utf8))
    }

    static func contentType(_ name: String) -> String {
        ServedTree.metadataNames.contains(name) ? "application/json" : "application/octet-stream"
    }
}
