import Foundation

/// Why a segmentation or an export cannot run, as one actionable line.
public enum SegmentationError: Error, Equatable, CustomStringConvertible {
    case badShard(String)
    case badBlockSize(Int)
    case blockSideOutOfRange(Int)
    case memoryTooSmall(budget: String, needed: String)
    case unwritable(String, String)
    case mismatch(String, String)
    case notFound(String, available: [String])
    case unfinished(String, done: Int, total: Int)
    case output(String, String)
    /// Another session or command segments the whole volume with this model right now.
    case alreadyRunning(project: String, model: String, holder: String)

    public var description: String {
        switch self {
        case .alreadyRunning(let p, let m, let holder):
            return "\(p): the segmentation with model \(m) is already running (\(holder)); 'trowel jobs \(p)' shows it"
        case .badShard(let text):
            return "--shard \(text): give k/N with 0 ≤ k < N, e.g. 0/4"
        case .badBlockSize(let side):
            return "--block \(side): the block side must be at least 1"
        case .blockSideOutOfRange(let side):
            return side < SegmentationJob.blockSides.lowerBound
                ? "--block \(side): give at least \(SegmentationJob.blockSides.lowerBound); every block also reads and filters a feature halo around it, so small blocks multiply the work (millions of blocks, hours); the default (512 for 2D features, 128 for 3D) is fastest"
                : "--block \(side): give at most \(SegmentationJob.blockSides.upperBound); larger blocks are no faster and need more memory than any machine has"
        case .memoryTooSmall(let budget, let needed):
            return "--memory \(budget) is too small for one block slab of this model: at least \(needed) is needed (or use a smaller --block)"
        case .unwritable(let path, let reason):
            return "cannot write \(path): \(reason)"
        case .mismatch(let path, let reason):
            return "\(path) was started with different settings (\(reason)): re-run with the same settings or delete it"
        case .notFound(let id, let available):
            let list = available.isEmpty ? "there are none yet; run 'trowel segment'" : "available: \(available.joined(separator: ", "))"
            return "no segmentation '\(id)' in this project (\(list))"
        case .unfinished(let id, let done, let total):
            return "segmentation '\(id)' is not finished (\(done) of \(total) blocks): run 'trowel segment' again to complete it"
        case .output(let path, let reason):
            return "\(path): \(reason)"
        }
    }
}
