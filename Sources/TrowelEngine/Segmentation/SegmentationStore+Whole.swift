import Foundation
import TrowelVolume

/// Reading and writing a whole segmentation at once, for tools that derive one segmentation from
/// another (post-processing): the result is laid out, marked done and given a pyramid exactly as
/// `SegmentationJob` does, so meshing and export treat it the same.
extension SegmentationStore {
    /// True when level 0 exists.
    public var exists: Bool {
        FileManager.default.fileExists(atPath: levelZeroURL.appendingPathComponent(".zarray").path)
    }

    /// The compute block side recorded when the segmentation was started.
    public func blockSide() throws -> Int {
        let labels = try ZarrArray.open(at: levelZeroURL)
        guard let settings = Settings(try labels.readAttributes()[Self.settingsKey]) else {
            throw SegmentationError.output(levelZeroURL.path, "not a Trowel segmentation (no '\(Self.settingsKey)' attribute)")
        }
        return settings.blockSide
    }

    /// Level 0 of a finished segmentation, whole (1 byte a voxel).
    public func readWhole() throws -> Block<UInt8> {
        guard exists else { throw SegmentationError.notFound(id, available: Self.ids(in: projectURL)) }
        let labels = try ZarrArray.open(at: levelZeroURL)
        let grid = try BlockGrid(shape: labels.shape, side: blockSide())
        let done = doneCount(of: grid.count)
        guard done == grid.count else { throw SegmentationError.unfinished(id, done: done, total: grid.count) }
        return try labels.read(labels.shape.box, as: UInt8.self)
    }

    /// Writes `labels` as this new segmentation: level 0 in blocks of `blockSide`, every block marked
    /// done, then the majority-vote pyramid with `levelShapes` (the scan's, level 0 first).
    public func writeWhole(_ labels: Block<UInt8>, blockSide: Int, levelShapes: [Shape], voxelSize: VoxelSize,
                           workers: Int) throws {
        let grid = try BlockGrid(shape: labels.shape, side: blockSide)
        let (array, _) = try prepare(grid: grid, probabilities: false, classes: [], voxelSize: voxelSize)
        do { try array.write(labels, at: .zero) } catch { throw SegmentationError.unwritable(levelZeroURL.path, "\(error)") }
        for block in 0..<grid.count { try markDone(block) }
        try buildPyramid(levelShapes: levelShapes, chunks: grid.chunkShape, voxelSize: voxelSize, workers: max(1, workers))
    }
}
