/// CRC-32C (Castagnoli), the Zarr v3 `crc32c` codec's 4-byte little-endian trailer.
enum CRC32C {
    private static let table: [UInt32] = (0..<256).map { i -> UInt32 in
        var c = UInt32(i)
        for _ in 0..<8 { c = (c & 1) != 0 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
        return c
    }

    static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        table.withUnsafeBufferPointer { t in
            for b in bytes { crc = t[Int((crc ^ UInt32(b)) & 0xFF)] ^ (crc >> 8) }
        }
        return crc ^ 0xFFFF_FFFF
    }

    /// `bytes` followed by their checksum.
    static func append(to bytes: UnsafeRawBufferPointer) -> [UInt8] {
        let c = checksum(bytes)
        return Array(bytes) + [UInt8(c & 0xFF), UInt8((c >> 8) & 0xFF), UInt8((c >> 16) & 0xFF), UInt8(c >> 24)]
    }

    /// The payload without its trailer, after checking the checksum.
    static func strip(_ bytes: UnsafeRawBufferPointer) throws(CodecFailure) -> [UInt8] {
        guard bytes.count >= 4 else { throw CodecFailure("truncated crc32c chunk (\(bytes.count) bytes)") }
        let payload = UnsafeRawBufferPointer(rebasing: bytes[0..<(bytes.count - 4)])
        let t = bytes.count - 4
        let stored = UInt32(bytes[t]) | UInt32(bytes[t + 1]) << 8 | UInt32(bytes[t + 2]) << 16 | UInt32(bytes[t + 3]) << 24
        guard checksum(payload) == stored else { throw CodecFailure("corrupt chunk (crc32c checksum mismatch)") }
        return Array(payload)
    }
}
