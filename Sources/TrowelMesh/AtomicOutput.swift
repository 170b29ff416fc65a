import Foundation

/// A file written through a temporary file beside it and renamed into place on `commit`, with a
/// fixed-size buffer so a large mesh streams to disk instead of being encoded whole in memory.
///
/// Not copyable: one owner writes it, and when that owner is dropped without committing (an error,
/// or Ctrl-C cancelling the extraction that streams into it) the temporary file is removed, so
/// nothing is left under the output's name or beside it.
struct AtomicOutput: ~Copyable {
    let path: String
    private let temporary: String
    private let fd: Int32
    private var buffer: [UInt8] = []
    /// The first write error (errno), reported by `checkWrites` and `commit`.
    private var failure: Int32 = 0
    private var committed = false
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

    deinit {
        if !committed {
            close(fd)
            unlink(temporary)
        }
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

    /// Appends everything written to `scratch` so far (e.g. the OBJ faces after the vertices).
    mutating func append(contentsOf scratch: inout ScratchFile) throws(MeshError) {
        try scratch.readBack { chunk in append(chunk) }
    }

    /// Writes out the buffer when it is full; call between records.
    @inline(__always) mutating func flushIfFull() {
        if buffer.count >= Self.bufferSize { flush() }
    }

    /// Overwrites four bytes at `offset` with `value` (little-endian): a count in a header that is
    /// only known at the end, such as binary STL's triangle count.
    mutating func patch(littleEndian value: UInt32, at offset: Int) {
        flush()
        guard failure == 0 else { return }
        let bytes = [UInt8(truncatingIfNeeded: value), UInt8(truncatingIfNeeded: value >> 8),
                     UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 24)]
        let written = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress!, 4, off_t(offset)) }
        if written != 4 { failure = written < 0 ? errno : EIO }
    }

    /// Throws if a write has failed so far (e.g. the disk is full), so a long export stops early.
    func checkWrites() throws(MeshError) {
        if failure != 0 { throw .write(path: path, reason: String(cString: strerror(failure))) }
    }

    private mutating func flush() {
        if failure == 0 {
            failure = buffer.withUnsafeBytes { Self.writeAll($0, to: fd) }
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Writes all of `bytes` to `fd`, retrying short writes; returns 0 or the errno of the failure.
    static func writeAll(_ bytes: UnsafeRawBufferPointer, to fd: Int32) -> Int32 {
        var done = 0
        while done < bytes.count {
            let n = Foundation.write(fd, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                return errno
            }
            done += n
        }
        return 0
    }

    /// Drops the file unwritten: the temporary file is closed and removed.
    consuming func discard() {}

    /// Writes the rest, closes, and renames the file into place (or removes it and throws).
    consuming func commit() throws(MeshError) {
        flush()
        committed = true
        if close(fd) != 0 && failure == 0 { failure = errno }
        if failure == 0 && rename(temporary, path) != 0 { failure = errno }
        if failure != 0 {
            unlink(temporary)
            throw .write(path: path, reason: String(cString: strerror(failure)))
        }
    }
}
