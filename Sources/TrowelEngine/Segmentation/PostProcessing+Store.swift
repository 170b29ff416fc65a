import Foundation
import TrowelVolume

/// Post-processing a segmentation on disk into a new one, block by block: the volume is never
/// held whole, so memory is bounded by one block (about 10 bytes a voxel of it) plus the
/// component tables, whatever the size of the scan.
extension PostProcessing {
    /// The processing block side for a segmentation computed in blocks of `storeSide`: that side,
    /// halved while above 128 (2D-feature segmentations use 512³ blocks, which would take over a
    /// gigabyte). Halving keeps whole storage chunks (`BlockGrid.chunkShape`) in every block, so no
    /// chunk is written twice.
    public static func defaultBlockSide(forSegmentationBlockSide storeSide: Int) -> Int {
        var side = max(1, storeSide)
        while side > 128 && side % 2 == 0 { side /= 2 }
        return side
    }

    /// Applies the chosen steps to the finished segmentation `source` and writes the result as the
    /// new segmentation `destination`: level 0 in the source's block layout, every block marked
    /// done, then the majority-vote pyramid with `levelShapes` (the scan's, level 0 first), exactly
    /// as `SegmentationJob` lays one out. `blockSide` is the processing block (nil:
    /// `defaultBlockSide(forSegmentationBlockSide:)`); it does not change the result.
    @discardableResult
    public func apply(from source: SegmentationStore, to destination: SegmentationStore, levelShapes: [Shape],
                      voxelSize: VoxelSize, blockSide: Int? = nil, workers: Int) throws -> Report {
        try validate()
        guard source.exists else { throw SegmentationError.notFound(source.id, available: SegmentationStore.ids(in: source.projectURL)) }
        let input = try ZarrArray.open(at: source.levelZeroURL)
        let storeSide = try source.blockSide()
        let layout = try BlockGrid(shape: input.shape, side: storeSide)
        let done = source.doneCount(of: layout.count)
        guard done == layout.count else { throw SegmentationError.unfinished(source.id, done: done, total: layout.count) }
        let grid = try Self.grid(input.shape, side: blockSide ?? Self.defaultBlockSide(forSegmentationBlockSide: storeSide))
        let (output, _) = try destination.prepare(grid: layout, probabilities: false, classes: [], voxelSize: voxelSize)
        try Self.markAsOutput(destination, from: source.id)
        var labels = StoredLabels(source: input, destination: output)
        let report = try run(on: &labels, grid: grid)
        for block in 0..<layout.count { try destination.markDone(block) }
        try destination.buildPyramid(levelShapes: levelShapes, chunks: layout.chunkShape, voxelSize: voxelSize,
                                     workers: max(1, workers))
        return report
    }
}

extension PostProcessing {
    /// The file inside an output segmentation that says post-processing is writing it.
    static let outputMarkerName = ".postprocessed-from"

    static func markAsOutput(_ store: SegmentationStore, from sourceID: String) throws {
        try Data(sourceID.utf8).write(to: store.url.appendingPathComponent(outputMarkerName), options: .atomic)
    }

    /// Whether `store` is what an interrupted post-processing run left (it wrote the marker but
    /// never finished the pyramid): safe to delete and redo, since the result is deterministic.
    /// A segmentation job's output, finished or not, never is.
    public static func isInterruptedOutput(_ store: SegmentationStore) -> Bool {
        !store.isComplete
            && FileManager.default.fileExists(atPath: store.url.appendingPathComponent(outputMarkerName).path)
    }
}

/// Level 0 of one segmentation read, another written.
struct StoredLabels: PostProcessingVolume {
    let source: ZarrArray
    let destination: ZarrArray

    func read(_ box: Box) throws(ZarrError) -> Block<UInt8> {
        try source.read(box, as: UInt8.self)
    }

    func write(_ block: Block<UInt8>, at origin: Index3) throws(ZarrError) {
        try destination.write(block, at: origin)
    }
}
