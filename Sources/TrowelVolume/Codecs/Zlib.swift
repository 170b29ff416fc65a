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
