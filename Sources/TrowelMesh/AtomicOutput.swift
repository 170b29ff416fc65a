import Foundation

/// A file written through a temporary file beside it and renamed into place on `commit`, with a
/// fixed-size buffer so a large mesh streams to disk instead of being encoded whole in memory.
struct AtomicOutput {
    let path: String
    private let temporary: String
    private let fd: Int32
    private var buffer: [UInt8] = []
    private var failure: Int32 = 0
    static let bufferSize = 1 << 20

    init(path: String) throws(MeshError) {
        self.path = path
        let url = URL(fileURLWithPath: path)
        temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".trowel-tmp-\(url.lastPathComponent)-\(UUID().uuidString)").path
        fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        guard fd >= 0 else { throw .write(path: path, reason: String(cString: strerror(errno))) }
        buffer.reserveCapacity(Self.bufferSize)
    }

    /// Appends `bytes`, writing the buffer out when it is full.
    mutating func append<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        buffer.append(contentsOf: bytes)
        if buffer.count >= Self.bufferSize { flush() }
    }

    /// Appends `value` as four little-endian bytes.
    @inline(__always) mutating func append(littleEndian value: UInt32) {
        buffer.append(UInt8(truncatingIfNeeded: value))
        buffer.append(UInt8(truncatingIfNeeded: value >> 8))
        buffer.append(UInt8(truncatingIfNeeded: value >> 16))
        buffer.append(UInt8(truncatingIfNeeded: value >> 24))
    }

    /// Appends a point as three little-endian float32s (x, y, z).
    @inline(__always) mutating func append(_ p: SIMD3<Float>) {
        append(littleEndian: p.x.bitPattern)
        append(littleEndian: p.y.bitPattern)
        append(littleEndian: p.z.bitPattern)
    }

    @inline(__always) mutating func append(byte: UInt8) { buffer.append(byte) }

    /// Writes out the buffer when it is full; call between records.
    @inline(__always) mutating func flushIfFull() {
        if buffer.count >= Self.bufferSize { flush() }
    }

    private mutating func flush() {
        if failure == 0 {
            buffer.withUnsafeBytes { raw in
                var done = 0
                while done < raw.count {
                    let n = Foundation.write(fd, raw.baseAddress! + done, raw.count - done)
                    if n < 0 {
                        if errno == EINTR { continue }
                        failure = errno
                        return
                    }
                    done += n
                }
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Writes the rest, closes, and renames the file into place (or removes it and throws).
    consuming func commit() throws(MeshError) {
        flush()
        if close(fd) != 0 && failure == 0 { failure = errno }
        if failure == 0 && rename(temporary, path) != 0 { failure = errno }
        if failure != 0 {
            unlink(temporary)
            throw .write(path: path, reason: String(cString: strerror(failure)))
        }
    }
}
