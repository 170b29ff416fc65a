import CBlosc

/// Blosc 1 containers through the context API (`blosc_*_ctx`), which is safe from many threads
/// without `blosc_init`.
enum Blosc {
    static let headerLength = Int(BLOSC_MIN_HEADER_LENGTH)

    static func compress(_ source: UnsafeRawBufferPointer, cname: String, clevel: Int, shuffle: BloscShuffle,
                         typeSize: Int, blocksize: Int) throws(CodecFailure) -> [UInt8] {
        guard ZarrCompressor.bloscSupports(cname) else {
            throw CodecFailure("blosc compressor '\(cname)' is not available in this libblosc")
        }
        let capacity = source.count + Int(BLOSC_MAX_OVERHEAD)
        var result: Int32 = 0
        let out = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
            result = blosc_compress_ctx(Int32(max(0, min(9, clevel))), Int32(shuffle.rawValue), max(1, typeSize),
                                        source.count, source.baseAddress, buffer.baseAddress, capacity,
                                        cname, max(0, blocksize), 1)
            count = result > 0 ? Int(result) : 0
        }
        guard result > 0 else { throw CodecFailure("blosc compression failed (\(result))") }
        return out
    }

    /// The decoded size a Blosc container declares, after checking the container is whole.
    private static func declaredSize(_ source: UnsafeRawBufferPointer) throws(CodecFailure) -> Int {
        guard source.count >= headerLength, let base = source.baseAddress else {
            throw CodecFailure("truncated blosc chunk (\(source.count) bytes, shorter than the \(headerLength)-byte header)")
        }
        var nbytes = 0, cbytes = 0, blocksize = 0
        blosc_cbuffer_sizes(base, &nbytes, &cbytes, &blocksize)
        if cbytes > source.count {
            throw CodecFailure("truncated blosc chunk (header says \(cbytes) bytes, file has \(source.count))")
        }
        var validated = 0
        guard blosc_cbuffer_validate(base, source.count, &validated) == 0 else {
            throw CodecFailure("corrupt blosc chunk (invalid header)")
        }
        return validated
    }

    /// Decompresses into exactly `destination.count` bytes, checking the declared size first.
    static func decompress(_ source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer) throws(CodecFailure) {
        let declared = try declaredSize(source)
        guard declared == destination.count else {
            throw CodecFailure("blosc chunk holds \(declared) bytes, expected \(destination.count)")
        }
        if declared == 0 { return }
        let n = blosc_decompress_ctx(source.baseAddress, destination.baseAddress, destination.count, 1)
        guard n == Int32(destination.count) else {
            throw CodecFailure("corrupt blosc chunk (blosc_decompress_ctx returned \(n))")
        }
    }

    static func decompress(_ source: UnsafeRawBufferPointer) throws(CodecFailure) -> [UInt8] {
        let declared = try declaredSize(source)
        var out = [UInt8](repeating: 0, count: declared)
        var failure: CodecFailure?
        out.withUnsafeMutableBytes { d in
            do throws(CodecFailure) { try decompress(source, into: d) } catch { failure = error }
        }
        if let failure { throw failure }
        return out
    }
}
