import Foundation

/// A number of bytes given by a person: `512M`, `1.5G`, `300MB`, `2GiB`, `65536`. Binary multiples.
public struct ByteCount: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var bytes: Int

    public init(_ bytes: Int) { self.bytes = bytes }

    public init(parsing text: String) throws(ByteCountError) {
        var t = text.trimmingCharacters(in: .whitespaces).uppercased()
        for suffix in ["IB", "B"] where t.hasSuffix(suffix) && t.count > suffix.count {
            t.removeLast(suffix.count)
            break
        }
        let multipliers: [Character: Double] = ["K": 1024, "M": 1_048_576, "G": 1_073_741_824, "T": 1_099_511_627_776]
        var factor = 1.0
        if let last = t.last, let m = multipliers[last] {
            factor = m
            t.removeLast()
        }
        // Up to 2^60 bytes (an exbibyte), so sums and products of budgets never overflow an Int.
        guard let value = Double(t.trimmingCharacters(in: .whitespaces)), value > 0, value.isFinite,
              value * factor <= Double(1 << 60) else {
            throw ByteCountError(text: text)
        }
        bytes = Int(value * factor)
    }

    public static func < (a: ByteCount, b: ByteCount) -> Bool { a.bytes < b.bytes }

    /// `3.2 MB`, `812 KB`, `1.1 GB` (binary multiples, short units).
    public var description: String {
        let units = ["B", "KB", "MB", "GB", "TB"]
        var v = Double(bytes)
        var i = 0
        while v >= 1024 && i < units.count - 1 {
            v /= 1024
            i += 1
        }
        if i == 0 { return "\(bytes) B" }
        return v >= 100 ? "\(Int(v.rounded())) \(units[i])" : "\((v * 10).rounded() / 10) \(units[i])"
    }
}

/// A byte count that could not be read.
public struct ByteCountError: Error, CustomStringConvertible {
    public var text: String
    public var description: String { "size '\(text)' not understood: give a positive amount like 512M, 2G or 300MB (at most 1048576T)" }
}
