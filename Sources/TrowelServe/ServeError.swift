import Foundation

/// Why a project cannot be served: each message names what is wrong and what to do.
public enum ServeError: Error, Equatable, CustomStringConvertible {
    case notAFolder(String)
    case badAddress(String)
    case badPort(Int)
    case portInUse(String, Int)
    case cannotListen(String, Int, String)

    public var description: String {
        switch self {
        case .notAFolder(let path): return "\(path): not a project folder that can be served (no such folder)"
        case .badAddress(let text): return "--bind \(text): give an IPv4 or IPv6 address such as 127.0.0.1, 0.0.0.0 or ::1"
        case .badPort(let port): return "--port \(port): give a port between 0 and 65535 (0 picks a free one)"
        case .portInUse(let host, let port): return "\(host):\(port) is in use: pick another port with --port (or 0 for any free one)"
        case .cannotListen(let host, let port, let why): return "cannot listen on \(host):\(port): \(why)"
        }
    }
}
