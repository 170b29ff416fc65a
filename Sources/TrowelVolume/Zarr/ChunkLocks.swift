import Foundation

/// Striped locks by chunk index: a read-modify-write of one chunk excludes other writers of the
/// same chunk in this process, while different chunks proceed in parallel.
final class ChunkLocks: Sendable {
    private let locks: [NSLock] = (0..<64).map { _ in NSLock() }

    func withLock<R>(for chunk: Index3, _ body: () throws(ZarrError) -> R) throws(ZarrError) -> R {
        var h = Hasher()
        h.combine(chunk)
        let lock = locks[Int(UInt(bitPattern: h.finalize()) % UInt(locks.count))]
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}
