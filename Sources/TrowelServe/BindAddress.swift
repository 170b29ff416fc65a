import Foundation

/// The address the server listens on: an IPv4 or IPv6 literal (`localhost` means 127.0.0.1).
public struct BindAddress: Equatable, Sendable, CustomStringConvertible {
    public enum Family: Sendable { case ipv4, ipv6 }

    /// The literal as given (normalised: `localhost` becomes `127.0.0.1`).
    public let host: String
    public let family: Family

    public static let loopback = BindAddress(host: "127.0.0.1", family: .ipv4)

    private init(host: String, family: Family) {
        self.host = host
        self.family = family
    }

    /// Parses `--bind`; anything that is not an IP literal is refused (no name lookups).
    public init(_ text: String) throws(ServeError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let literal = trimmed == "localhost" ? "127.0.0.1" : trimmed.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        var v4 = in_addr(), v6 = in6_addr()
        if inet_pton(AF_INET, literal, &v4) == 1 {
            self.init(host: literal, family: .ipv4)
        } else if inet_pton(AF_INET6, literal, &v6) == 1 {
            self.init(host: literal, family: .ipv6)
        } else {
            throw .badAddress(text)
        }
    }

    /// True for 127.0.0.0/8 and ::1: only this machine (and an SSH tunnel) can connect.
    public var isLoopback: Bool {
        switch family {
        case .ipv4: return host.hasPrefix("127.")
        case .ipv6: return host == "::1"
        }
    }

    /// How the host is written inside a URL (`[::1]` for IPv6).
    public var urlHost: String { family == .ipv6 ? "[\(host)]" : host }

    public var description: String { host }
}
