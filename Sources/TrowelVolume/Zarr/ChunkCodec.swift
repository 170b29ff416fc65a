/// One bytes-to-bytes step of a chunk's encoding: a compressor, or Zarr v3's `crc32c` checksum.
enum ChunkCodec: Sendable, Equatable {
    case compressor(ZarrCompressor)
    case crc32c

    var name: String {
        switch self {
        case .compressor(let c): return c.name
        case .crc32c: return "crc32c"
        }
    }

    func encode(_ bytes: UnsafeRawBufferPointer, typeSize: Int) throws(CodecFailure) -> [UInt8] {
        switch self {
        case .compressor(let c): return try c.encode(bytes, typeSize: typeSize)
        case .crc32c: return CRC32C.append(to: bytes)
        }
    }

    /// Decodes into exactly `destination.count` bytes.
    func decode(_ bytes: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer) throws(CodecFailure) {
        switch self {
        case .compressor(let c): try c.decode(bytes, into: destination)
        case .crc32c:
            let payload = try CRC32C.strip(bytes)
            guard payload.count == destination.count else {
                throw CodecFailure("chunk has \(payload.count) bytes after its crc32c trailer, expected \(destination.count)")
            }
            payload.withUnsafeBytes { destination.copyMemory(from: $0) }
        }
    }

    func decode(_ bytes: UnsafeRawBufferPointer) throws(CodecFailure) -> [UInt8] {
        switch self {
        case .compressor(let c): return try c.decode(bytes)
        case .crc32c: return try CRC32C.strip(bytes)
        }
    }
}
