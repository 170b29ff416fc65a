import CZlib

/// zlib- and gzip-wrapped deflate (numcodecs `zlib` and `gzip`). Decoding accepts either wrapper.
enum Deflate {
    static func compress(_ source: UnsafeRawBufferPointer, level: Int, gzip: Bool) throws(CodecFailure) -> [UInt8] {
        var stream = z_stream()
        let windowBits: Int32 = gzip ? 31 : 15
        let lvl = Int32(max(-1, min(9, level)))
        guard deflateInit2_(&stream, lvl, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY,
                            zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw CodecFailure("cannot start \(gzip ? "gzip" : "zlib") compression")
        }
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, uLong(source.count))) + 32
        var status: Int32 = Z_OK
        let out = [UInt8](unsafeUninitializedCapacity: bound) { buffer, count in
            stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress?.assumingMemoryBound(to: Bytef.self))
            stream.avail_in = uInt(source.count)
            stream.next_out = buffer.baseAddress
            stream.avail_out = uInt(bound)
            status = deflate(&stream, Z_FINISH)
            count = Int(stream.total_out)
        }
        guard status == Z_STREAM_END else { throw CodecFailure("\(gzip ? "gzip" : "zlib") compression failed (\(status))") }
        return out
    }

    /// Inflates into exactly `destination.count` bytes.
    static func decompress(_ source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer,
                           format: String) throws(CodecFailure) {
        var stream = z_stream()
        guard inflateInit2_(&stream, 15 + 32, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw CodecFailure("cannot start \(format) decompression")
        }
        defer { inflateEnd(&stream) }
        stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(source.count)
        stream.next_out = destination.baseAddress?.assumingMemoryBound(to: Bytef.self)
        stream.avail_out = uInt(destination.count)
        let status = inflate(&stream, Z_FINISH)
        switch status {
        case Z_STREAM_END:
            guard Int(stream.total_out) == destination.count else {
                throw CodecFailure("\(format) chunk decodes to \(stream.total_out) bytes, expected \(destination.count)")
            }
        case Z_BUF_ERROR where stream.avail_out == 0:
            throw CodecFailure("\(format) chunk decodes to more than the expected \(destination.count) bytes")
        case Z_BUF_ERROR:
            throw CodecFailure("truncated \(format) chunk (its \(source.count) bytes decode to only \(stream.total_out) of \(destination.count) bytes)")
        default:
            throw CodecFailure("corrupt \(format) chunk (zlib: \(message(stream, status)))")
        }
    }

    /// Inflates a stream of unknown decoded size.
    static func decompress(_ source: UnsafeRawBufferPointer, format: String) throws(CodecFailure) -> [UInt8] {
        var stream = z_stream()
        guard inflateInit2_(&stream, 15 + 32, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw CodecFailure("cannot start \(format) decompression")
        }
        defer { inflateEnd(&stream) }
        stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(source.count)
        var out = [UInt8]()
        var piece = [UInt8](repeating: 0, count: max(4096, source.count * 4))
        while true {
            let status: Int32 = piece.withUnsafeMutableBufferPointer { p in
                stream.next_out = p.baseAddress
                stream.avail_out = uInt(p.count)
                return inflate(&stream, Z_NO_FLUSH)
            }
            out.append(contentsOf: piece[0..<(piece.count - Int(stream.avail_out))])
            if status == Z_STREAM_END { return out }
            if status == Z_BUF_ERROR || (status == Z_OK && stream.avail_in == 0 && stream.avail_out != 0) {
                throw CodecFailure("truncated \(format) chunk (\(source.count) bytes)")
            }
            if status != Z_OK { throw CodecFailure("corrupt \(format) chunk (zlib: \(message(stream, status)))") }
        }
    }

    private static func message(_ stream: z_stream, _ status: Int32) -> String {
        if let m = stream.msg { return String(cString: m) }
        return "error \(status)"
    }
}
