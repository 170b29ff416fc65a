import Foundation

/// An unnamed temporary file beside the output, holding a section that must come after data still
/// being produced (the OBJ `f` lines, which follow every `v` line), so that section need not be
/// kept in memory. It is unlinked as soon as it is opened: the space is returned when it is
/// closed, and nothing is left behind after an error, Ctrl-C, `kill -9` or a crash.
struct ScratchFile: ~Copyable {
    /// The output this section belongs to, for error messages.
    let path: String
    private let fd: Int32
    private var buffer: [UInt8] = []
    /// The first write or read error (errno).
    private var failure: Int32 = 0

    /// Opens a scratch file in the folder of `path` (same filesystem, not a possibly RAM-backed /tmp).
    init(beside path: String) throws(MeshError) {
        self.path = path
        let url = URL(fileURLWithPath: path)
        let name = url.deletingLastPathComponent()
            .appendingPathComponent(".trowel-scratch-\(url.lastPathComponent)-\(UUID().uuidString)").path
        fd = open(name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .write(path: path, reason: String(cString: strerror(errno))) }
        unlink(name)
        buffer.reserveCapacity(AtomicOutput.bufferSize)
    }

    deinit { close(fd) }

    /// Appends `bytes`, writing the buffer out when it is full.
    mutating func append<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        buffer.append(contentsOf: bytes)
        if buffer.count >= AtomicOutput.bufferSize { flush() }
    }

    /// Throws if a write has failed so far.
    func checkWrites() throws(MeshError) {
        if failure != 0 { throw .write(path: path, reason: String(cString: strerror(failure))) }
    }

    /// Passes everything written so far to `body`, from the start, in chunks of the buffer's size.
    mutating func readBack(_ body: (ArraySlice<UInt8>) -> Void) throws(MeshError) {
        flush()
        try checkWrites()
        guard lseek(fd, 0, SEEK_SET) == 0 else { throw .write(path: path, reason: String(cString: strerror(errno))) }
        var chunk = [UInt8](repeating: 0, count: AtomicOutput.bufferSize)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .write(path: path, reason: String(cString: strerror(errno)))
            }
            if n == 0 { break }
            body(chunk[..<n])
        }
    }

    private mutating func flush() {
        if failure == 0 {
            failure = buffer.withUnsafeBytes { AtomicOutput.writeAll($0, to: fd) }
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
