import CZlib
import Foundation

/// zlib-wrapped deflate for callers outside the Zarr codecs (the kitty graphics encoder sends
/// frames with `o=z`); errors are one line saying what failed.
public enum Zlib {
    /// Compresses `bytes` at `level` (1 fastest … 9 smallest) into a zlib stream.
    public static func compress(_ bytes: UnsafeRawBufferPointer, level: Int = 1) throws(ZlibError) -> [UInt8] {
        do throws(CodecFailure) {
            return try Deflate.compress(bytes, level: level, gzip: false)
        } catch {
            throw ZlibError(message: error.message)
        }
    }

    /// Compresses `bytes` into one zlib stream using `pieces` threads: each piece is raw deflate
    /// ending on a byte boundary (sync flush), the last one finished, joined behind one header
    /// with the pieces' Adler-32 sums combined (as pigz does). Any inflater reads it.
    public static func compressInParallel(_ bytes: UnsafeRawBufferPointer, level: Int = 1, pieces: Int) throws(ZlibError) -> [UInt8] {
        let count = max(1, min(pieces, bytes.count / 65536))
        guard count > 1 else { return try compress(bytes, level: level) }
        let size = (bytes.count + count - 1) / count
        let results = ParallelPieces(count: count)
        nonisolated(unsafe) let source = bytes
        DispatchQueue.concurrentPerform(iterations: count) { i in
            let start = i * size, end = min(source.count, start + size)
            let piece = UnsafeRawBufferPointer(rebasing: source[start..<end])
            results.store(i, rawDeflate(piece, level: level, last: i == count - 1),
                          adler: adler32(1, piece.baseAddress?.assumingMemoryBound(to: Bytef.self), uInt(piece.count)), length: piece.count)
        }
        var out: [UInt8] = [0x78, 0x01]
        var adler: uLong = 1
        for i in 0..<count {
            guard let piece = results.pieces[i] else { throw ZlibError(message: "zlib compression failed") }
            out += piece.bytes
            adler = adler32_combine(adler, piece.adler, off_t(piece.length))
        }
        out += [UInt8((adler >> 24) & 0xFF), UInt8((adler >> 16) & 0xFF), UInt8((adler >> 8) & 0xFF), UInt8(adler & 0xFF)]
        return out
    }

    /// Raw deflate (no header) of one piece; nil on failure.
    private static func rawDeflate(_ source: UnsafeRawBufferPointer, level: Int, last: Bool) -> [UInt8]? {
        var stream = z_stream()
        guard deflateInit2_(&stream, Int32(max(1, min(9, level))), Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY,
                            zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return nil }
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, uLong(source.count))) + 64
        var status: Int32 = Z_OK
        let out = [UInt8](unsafeUninitializedCapacity: bound) { buffer, n in
            stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress?.assumingMemoryBound(to: Bytef.self))
            stream.avail_in = uInt(source.count)
            stream.next_out = buffer.baseAddress
            stream.avail_out = uInt(bound)
            status = deflate(&stream, last ? Z_FINISH : Z_SYNC_FLUSH)
            n = Int(stream.total_out)
        }
        guard status == (last ? Z_STREAM_END : Z_OK), stream.avail_in == 0 else { return nil }
        return out
    }

    /// Inflates a zlib (or gzip) stream of unknown decoded size.
    public static func decompress(_ bytes: [UInt8]) throws(ZlibError) -> [UInt8] {
        do throws(CodecFailure) {
            return try bytes.withCodecBytes { b throws(CodecFailure) in try Deflate.decompress(b, format: "zlib") }
        } catch {
            throw ZlibError(message: error.message)
        }
    }
}

/// A zlib stream that could not be made or read.
public struct ZlibError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

/// The compressed pieces of `Zlib.compressInParallel`, filled from several threads.
private final class ParallelPieces: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var pieces: [(bytes: [UInt8], adler: uLong, length: Int)?]

    init(count: Int) { pieces = Array(repeating: nil, count: count) }

    func store(_ i: Int, _ bytes: [UInt8]?, adler: uLong, length: Int) {
        lock.lock()
        pieces[i] = bytes.map { ($0, adler, length) }
        lock.unlock()
    }
}
