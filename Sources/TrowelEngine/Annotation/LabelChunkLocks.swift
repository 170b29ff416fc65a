import Foundation
import TrowelVolume

/// Serialises writes to `labels.zarr` chunk by chunk across every process on the project: one byte
/// of `labels.lock` per chunk (its linear index in the chunk grid), locked with POSIX
/// open-file-description locks (`F_OFD_SETLKW`). The kernel drops them when the holder exits or is
/// killed, so a crashed writer never leaves a chunk locked. Locks are taken in ascending order, so
/// two writers that need overlapping chunk sets cannot deadlock. Each instance is its own open file
/// description: two stores in one process exclude each other like two processes do.
final class LabelChunkLocks {
    static let fileName = "labels.lock"
    /// `F_OFD_SETLKW` from Linux's fcntl.h (not imported into Swift by Glibc).
    private static let setLockWait: Int32 = 38

    let url: URL
    private let descriptor: Int32
    private let grid: Shape

    /// Opens (creating) the lock file of the project at `projectURL` for a chunk grid `grid`.
    init(projectURL: URL, grid: Shape) throws(ProjectError) {
        url = projectURL.appendingPathComponent(Self.fileName)
        self.grid = grid
        let fd = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .unwritable(projectURL.path, "cannot open \(Self.fileName): \(String(cString: strerror(errno)))") }
        descriptor = fd
    }

    deinit { close(descriptor) }

    /// The byte of `chunk` in the lock file.
    func offset(of chunk: Index3) -> Int { (chunk.z * grid.y + chunk.y) * grid.x + chunk.x }

    /// Runs `body` holding the locks of `chunks` (any order, duplicates allowed), waiting for other
    /// writers that hold any of them.
    func withLocks<T>(_ chunks: [Index3], _ body: () throws -> T) throws -> T {
        let offsets = Array(Set(chunks.map(offset))).sorted()
        var taken: [Int] = []
        defer { for o in taken.reversed() { set(F_UNLCK, at: o) } }
        for o in offsets {
            guard set(F_WRLCK, at: o) else {
                throw ProjectError.unwritable(url.deletingLastPathComponent().path,
                                              "cannot lock \(Self.fileName): \(String(cString: strerror(errno)))")
            }
            taken.append(o)
        }
        return try body()
    }

    /// Locks (`F_WRLCK`) or unlocks (`F_UNLCK`) one byte, retrying when a signal interrupts the wait.
    @discardableResult
    private func set(_ type: Int32, at offset: Int) -> Bool {
        var lock = flock()
        lock.l_type = Int16(type)
        lock.l_whence = Int16(SEEK_SET)
        lock.l_start = off_t(offset)
        lock.l_len = 1
        lock.l_pid = 0
        while true {
            if fcntl(descriptor, Self.setLockWait, &lock) == 0 { return true }
            if errno != EINTR { return false }
        }
    }
}
