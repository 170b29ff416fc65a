/// Standard base64 (RFC 4648, with padding) straight into a byte buffer: image escapes carry
/// megabytes of it per frame, so it skips String and Data.
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Length of the encoding of `count` bytes.
    static func encodedCount(_ count: Int) -> Int { (count + 2) / 3 * 4 }

    /// Appends the encoding of `bytes` to `out`.
    static func append(_ bytes: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        let n = bytes.count
        let start = out.count
        out.append(contentsOf: repeatElement(0, count: encodedCount(n)))
        alphabet.withUnsafeBufferPointer { a in
            out.withUnsafeMutableBufferPointer { o in
                var i = 0, j = start
                while i + 3 <= n {
                    let v = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
                    o[j] = a[Int(v >> 18)]
                    o[j + 1] = a[Int((v >> 12) & 63)]
                    o[j + 2] = a[Int((v >> 6) & 63)]
                    o[j + 3] = a[Int(v & 63)]
                    i += 3
                    j += 4
                }
                let rest = n - i
                if rest > 0 {
                    let v = UInt32(bytes[i]) << 16 | (rest == 2 ? UInt32(bytes[i + 1]) << 8 : 0)
                    o[j] = a[Int(v >> 18)]
                    o[j + 1] = a[Int((v >> 12) & 63)]
                    o[j + 2] = rest == 2 ? a[Int((v >> 6) & 63)] : UInt8(ascii: "=")
                    o[j + 3] = UInt8(ascii: "=")
                }
            }
        }
    }

    /// Decodes base64 (padding optional); nil on a character outside the alphabet.
    static func decode<S: Sequence>(_ text: S) -> [UInt8]? where S.Element == UInt8 {
        var table = [Int16](repeating: -1, count: 256)
        for (i, c) in alphabet.enumerated() { table[Int(c)] = Int16(i) }
        var out: [UInt8] = []
        var acc: UInt32 = 0, bits = 0
        for c in text where c != UInt8(ascii: "=") {
            let v = table[Int(c)]
            if v < 0 { return nil }
            acc = acc << 6 | UInt32(v)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8((acc >> UInt32(bits)) & 0xFF))
            }
        }
        return out
    }
}
