import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Which blocks of a segmentation some run is computing right now, shared between processes (two
/// `trowel segment` runs of one model, shards on a cluster): an fcntl lock on byte `i` of one claims
/// file per segmentation, held while block `i` is computed. A run that finds a block claimed leaves it
/// to its owner and comes back to it after its other blocks; by then the block is done (joined) or its
/// owner died (the kernel drops a dead process's locks) and it computes it itself. On Linux the locks
/// are open-file-description locks, so two jobs in one process also exclude each other.
final class BlockClaims: @unchecked Sendable {
    private let descriptor: Int32

    #if os(Linux)
    private static let setLock: Int32 = 37  // F_OFD_SETLK
    #else
    private static let setLock = F_SETLK
    #endif

    /// Opens (creating) the claims file at `url`.
    init(url: URL) throws(SegmentationError) {
        descriptor = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .unwritable(url.path, String(cString: strerror(errno))) }
    }

    deinit { close(descriptor) }

    /// Claims block `i` if no other run holds it; false when another run is computing it.
    func tryClaim(_ i: Int) -> Bool { lock(i, type: Int16(F_WRLCK)) }

    /// Gives block `i` back (done, failed or cancelled).
    func release(_ i: Int) { _ = lock(i, type: Int16(F_UNLCK)) }

    private func lock(_ i: Int, type: Int16) -> Bool {
        var region = flock()
        region.l_type = type
        region.l_whence = Int16(SEEK_SET)
        region.l_start = off_t(i)
        region.l_len = 1
        region.l_pid = 0
        while true {
            if fcntl(descriptor, Self.setLock, &region) == 0 { return true }
            if errno == EINTR { continue }
            // EAGAIN/EACCES: held by another run. Any other failure (a filesystem without locks)
            // must not stop the segmentation: the block is computed, as it was before claims.
            return errno != EAGAIN && errno != EACCES
        }
    }
}
