/// Reported after each finished block: counts cover this shard's blocks, including those a
/// previous run already finished (so a resumed run starts where the last one stopped).
public struct SegmentationProgress: Sendable, Equatable {
    /// This shard's blocks finished so far (by this run or an earlier one).
    public var blocksDone: Int
    /// This shard's blocks.
    public var blocksTotal: Int
    /// Blocks computed by this run.
    public var blocksComputed: Int
    /// Voxels predicted by this run.
    public var voxelsComputed: Int
    /// Seconds since this run started.
    public var elapsed: Double

    public init(blocksDone: Int, blocksTotal: Int, blocksComputed: Int, voxelsComputed: Int, elapsed: Double) {
        self.blocksDone = blocksDone
        self.blocksTotal = blocksTotal
        self.blocksComputed = blocksComputed
        self.voxelsComputed = voxelsComputed
        self.elapsed = elapsed
    }

    /// Predicted voxels per second in this run.
    public var voxelsPerSecond: Double { elapsed > 0 ? Double(voxelsComputed) / elapsed : 0 }

    /// Seconds left at this run's rate per block (nil before this run has finished a block).
    public var secondsRemaining: Double? {
        guard blocksComputed > 0 else { return blocksDone == blocksTotal ? 0 : nil }
        return elapsed / Double(blocksComputed) * Double(blocksTotal - blocksDone)
    }
}
