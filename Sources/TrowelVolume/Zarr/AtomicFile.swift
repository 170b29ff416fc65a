import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file reads and crash-safe whole-file writes (temporary file in the same folder, then
/// rename), so a killed process never leaves half a chunk or half a `.zarray` behind.
enum AtomicFile {
    /// Temporary files start with this, then the writer's `FileOwner.tag`, so a later run can
    /// remove those of a killed writer (`AbandonedFiles`).
    static let temporaryPrefix = ".trowel-tmp-"

    /// The file's bytes, or nil when it does not exist (a missing chunk).
    static func read(_ path: String) throws(ZarrError) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            let e = errno
            if e == ENOENT || e == ENOTDIR { return nil }
            throw .io(path: path, reason: "cannot open: \(String(cString: strerror(e)))")
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            throw .io(path: path, reason: "cannot stat: \(String(cString: strerror(errno)))")
        }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            throw .io(path: path, reason: "is a folder where a chunk file was expected")
        }
        let size = Int(st.st_size)
        var failure: Int32 = 0
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            var done = 0
            while done < size {
                let n = systemRead(fd, buffer.baseAddress! + done, size - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    break
                }
                if n == 0 { break }
                done += n
            }
            // Only initialised bytes count; a file that shrank underneath us reads as truncated.
            count = done
        }
        if failure != 0 {
            throw .io(path: path, reason: "cannot read: \(String(cString: strerror(failure)))")
        }
        return bytes
    }

    /// Writes `bytes` to `path` via a temporary file and `rename`, creating missing parent folders.
    static func write(_ bytes: [UInt8], to path: String) throws(ZarrError) {
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        let temporary = folder + "/" + temporaryPrefix + FileOwner.tag + name + "-" + UUID().uuidString
        var fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        if fd < 0 && errno == ENOENT {
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                throw .io(path: folder, reason: "cannot create folder: \(error.localizedDescription)")
            }
            fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        }
        guard fd >= 0 else {
            throw .io(path: path, reason: "cannot create a temporary file beside it: \(String(cString: strerror(errno)))")
        }
        var failure: Int32 = 0
        bytes.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let n = systemWrite(fd, raw.baseAddress! + done, raw.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                done += n
            }
        }
        if close(fd) != 0 && failure == 0 { failure = errno }
        if failure == 0 && rename(temporary, path) != 0 { failure = errno }
        if failure != 0 {
            unlink(temporary)
            throw .io(path: path, reason: "cannot write: \(String(cString: strerror(failure)))")
        }
    }
}

// `read`/`write` are shadowed by Swift methods in some scopes; name the system calls explicitly.
@inline(__always) private func systemRead(_ fd: Int32, _ buf: UnsafeMutableRawPointer, _ n: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.read(fd, buf, n)
    #else
    return Darwin.read(fd, buf, n)
    #endif
}

@inline(__always) private func systemWrite(_ fd: Int32, _ buf: UnsafeRawPointer, _ n: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.write(fd, buf, n)
    #else
    return Darwin.write(fd, buf, n)
    #endif
}
