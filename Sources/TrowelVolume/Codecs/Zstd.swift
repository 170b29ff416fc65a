import CZstd

/// Zstandard frames (numcodecs `zstd`, Zarr v3 `zstd`).
enum Zstd {
    static func compress(_ source: UnsafeRawBufferPointer, level: Int) throws(CodecFailure) -> [UInt8] {
        let bound = ZSTD_compressBound(source.count)
        var failure: String?
        let out = [UInt8](unsafeUninitializedCapacity: bound) { buffer, count in
            let n = ZSTD_compress(buffer.baseAddress, bound, source.baseAddress, source.count, Int32(level))
            if ZSTD_isError(n) != 0 { failure = String(cString: ZSTD_getErrorName(n)); count = 0 } else { count = n }
        }
        if let failure { throw CodecFailure("zstd compression failed (\(failure))") }
        return out
    }

    /// Decompresses into exactly `destination.count` bytes.
    static func decompress(_ source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer) throws(CodecFailure) {
        let declared = ZSTD_getFrameContentSize(source.baseAddress, source.count)
        if declared == ZSTD_CONTENTSIZE_ERROR {
            throw CodecFailure(source.count < 4 ? "truncated zstd chunk (\(source.count) bytes)" : "corrupt zstd chunk (not a zstd frame)")
        }
        if declared != ZSTD_CONTENTSIZE_UNKNOWN && declared != UInt64(destination.count) {
            throw CodecFailure("zstd chunk holds \(declared) bytes, expected \(destination.count)")
        }
        let n = ZSTD_decompress(destination.baseAddress, destination.count, source.baseAddress, source.count)
        if ZSTD_isError(n) != 0 {
            let name = String(cString: ZSTD_getErrorName(n))
            let truncated = name.lowercased().contains("src size") || name.lowercased().contains("truncated")
            throw CodecFailure("\(truncated ? "truncated" : "corrupt") zstd chunk (zstd: \(name), \(source.count) bytes)")
        }
        guard n == destination.count else {
            throw CodecFailure("zstd chunk decodes to \(n) bytes, expected \(destination.count)")
        }
    }

    /// Decompresses frames of unknown decoded size.
    static func decompress(_ source: UnsafeRawBufferPointer) throws(CodecFailure) -> [UInt8] {
        let declared = ZSTD_getFrameContentSize(source.baseAddress, source.count)
        if declared == ZSTD_CONTENTSIZE_ERROR { throw CodecFailure("corrupt zstd chunk (not a zstd frame)") }
        if declared != ZSTD_CONTENTSIZE_UNKNOWN, declared < UInt64(Int32.max) {
            var out = [UInt8](repeating: 0, count: Int(declared))
            var failure: CodecFailure?
            out.withUnsafeMutableBytes { d in
                do throws(CodecFailure) { try decompress(source, into: d) } catch { failure = error }
            }
            if let failure { throw failure }
            return out
        }
        guard let stream = ZSTD_createDStream() else { throw CodecFailure("cannot start zstd decompression") }
        defer { ZSTD_freeDStream(stream) }
        var input = ZSTD_inBuffer(src: source.baseAddress, size: source.count, pos: 0)
        var out = [UInt8]()
        var piece = [UInt8](repeating: 0, count: ZSTD_DStreamOutSize())
        var last = 0
        while input.pos < input.size {
            var failure: Int?
            piece.withUnsafeMutableBytes { p in
                var output = ZSTD_outBuffer(dst: p.baseAddress, size: p.count, pos: 0)
                let r = ZSTD_decompressStream(stream, &output, &input)
                if ZSTD_isError(r) != 0 { failure = r } else { last = r }
                out.append(contentsOf: p[0..<output.pos])
            }
            if let failure { throw CodecFailure("corrupt zstd chunk (zstd: \(String(cString: ZSTD_getErrorName(failure))))") }
        }
        if last != 0 { throw CodecFailure("truncated zstd chunk (\(source.count) bytes)") }
        return out
    }
}
