import Foundation

/// What an HTTP `Range` header asks of a file of `length` bytes (RFC 9110 §14): one byte range is
/// honoured; several ranges, other units or a malformed header are ignored (the whole file is sent).
public enum RangeRequest: Equatable, Sendable {
    case whole
    case bytes(Range<Int>)
    /// No byte of the file is in the range: answer 416 with `Content-Range: bytes */length`.
    case unsatisfiable

    /// Interprets `header` (e.g. `bytes=0-99`, `bytes=100-`, `bytes=-20`) for a file of `length` bytes.
    public init(header: String?, length: Int) {
        guard let header else { self = .whole; return }
        let text = header.trimmingCharacters(in: .whitespaces)
        guard text.lowercased().hasPrefix("bytes=") else { self = .whole; return }
        let spec = text.dropFirst("bytes=".count).trimmingCharacters(in: .whitespaces)
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { self = .whole; return }
        let first = spec[..<dash].trimmingCharacters(in: .whitespaces)
        let last = spec[spec.index(after: dash)...].trimmingCharacters(in: .whitespaces)
        func number(_ s: String) -> Int? { s.allSatisfy(\.isASCII) && !s.isEmpty ? Int(s) : nil }
        if first.isEmpty {
            // A suffix: the last n bytes.
            guard let n = number(last) else { self = .whole; return }
            guard n > 0, length > 0 else { self = .unsatisfiable; return }
            self = .bytes(max(0, length - n)..<length)
            return
        }
        guard let start = number(first) else { self = .whole; return }
        if last.isEmpty {
            self = start < length ? .bytes(start..<length) : .unsatisfiable
            return
        }
        guard let end = number(last), end >= start else { self = .whole; return }
        self = start < length ? .bytes(start..<min(end + 1, length)) : .unsatisfiable
    }
}
