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
    public static func compressInParallel(_ bytes: UnsafeRawBufferPointer, level: Int = 1, strategy: Strategy = .normal,
                                          pieces: Int) throws(ZlibError) -> [UInt8] {
        let count = max(1, min(pieces, bytes.count / 65536))
        guard count > 1 || strategy != .normal else { return try compress(bytes, level: level) }
        let size = (bytes.count + count - 1) / count
        let results = ParallelPieces(count: count)
        nonisolated(unsafe) let source = bytes
        DispatchQueue.concurrentPerform(iterations: count) { i in
            let start = i * size, end = min(source.count, start + size)
            let piece = UnsafeRawBufferPointer(rebasing: source[start..<end])
            results.store(i, deflatePiece(piece, level: level, strategy: strategy, last: i == count - 1),
                          adler: uLong(adler32(piece)), length: piece.count)
        }
        var pieces: [Piece] = []
        for i in 0..<count {
            guard let piece = results.pieces[i] else { throw ZlibError(message: "zlib compression failed") }
            pieces.append(Piece(bytes: piece.bytes, adler: UInt32(piece.adler), length: piece.length))
        }
        return stream(joining: pieces)
    }

    /// How deflate looks for repeats (zlib's `strategy`): `rle` only repeats of the byte before
    /// (fast, and enough for filtered image rows), `huffmanOnly` none at all.
    public enum Strategy: Sendable {
        case normal, filtered, rle, huffmanOnly

        var zlibValue: Int32 {
            switch self {
            case .normal: return Z_DEFAULT_STRATEGY
            case .filtered: return Z_FILTERED
            case .rle: return Z_RLE
            case .huffmanOnly: return Z_HUFFMAN_ONLY
            }
        }
    }

    /// One raw-deflate piece of a zlib stream made on several threads, with the Adler-32 and
    /// length of the bytes it holds.
    public struct Piece: Sendable {
        public var bytes: [UInt8]
        public var adler: UInt32
        public var length: Int

        public init(bytes: [UInt8], adler: UInt32, length: Int) {
            self.bytes = bytes
            self.adler = adler
            self.length = length
        }
    }

    /// Compresses `source` as one piece of a stream: raw deflate ending on a byte boundary (a sync
    /// flush), or finishing the stream when `last`; nil on failure.
    public static func piece(_ source: UnsafeRawBufferPointer, level: Int, strategy: Strategy, last: Bool) -> Piece? {
        deflatePiece(source, level: level, strategy: strategy, last: last).map {
            Piece(bytes: $0, adler: adler32(source), length: source.count)
        }
    }

    /// The zlib stream of `pieces` in order (the last made with `last`): one header, the pieces,
    /// their Adler-32 sums combined (as pigz does).
    public static func stream(joining pieces: [Piece]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        out.reserveCapacity(pieces.reduce(6) { $0 + $1.bytes.count })
        var adler: uLong = 1
        for piece in pieces {
            out += piece.bytes
            adler = adler32_combine(adler, uLong(piece.adler), off_t(piece.length))
        }
        out += [UInt8((adler >> 24) & 0xFF), UInt8((adler >> 16) & 0xFF), UInt8((adler >> 8) & 0xFF), UInt8(adler & 0xFF)]
        return out
    }

    /// Adler-32 of `bytes`.
    public static func adler32(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        UInt32(CZlib.adler32(1, bytes.baseAddress?.assumingMemoryBound(to: Bytef.self), uInt(bytes.count)))
    }

    /// CRC-32 (the one PNG chunks carry) of `bytes`, continuing from `crc`.
    public static func crc32(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        UInt32(CZlib.crc32(uLong(crc), bytes.baseAddress?.assumingMemoryBound(to: Bytef.self), uInt(bytes.count)))
    }

    /// Raw deflate (no header) of one piece; nil on failure.
    private static func deflatePiece(_ source: UnsafeRawBufferPointer, level: Int, strategy: Strategy, last: Bool) -> [UInt8]? {
        var stream = z_stream()
        guard deflateInit2_(&stream, Int32(max(1, min(9, level))), Z_DEFLATED, -15, 8, strategy.zlibValue,
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

    public init(message: String) { self.message = message }
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
