/// One of `count` equal shares of a segmentation's blocks: block `i` belongs to shard `i mod count`,
/// so N processes given `0/N` … `N-1/N` cover every block exactly once, in any order, without talking.
public struct Shard: Hashable, Sendable, CustomStringConvertible {
    /// This shard's number, 0-based.
    public let index: Int
    /// How many shards share the blocks.
    public let count: Int

    /// The whole volume as one shard.
    public static let whole = Shard(uncheckedIndex: 0, count: 1)

    /// A shard `index` of `count`; throws unless `0 ≤ index < count`.
    public init(index: Int, count: Int) throws(SegmentationError) {
        guard count >= 1, (0..<count).contains(index) else { throw .badShard("\(index)/\(count)") }
        self.index = index
        self.count = count
    }

    /// Parses `k/N` (e.g. `2/8`), the form `--shard` and SLURM array jobs use.
    public init(parsing text: String) throws(SegmentationError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let k = Int(parts[0].trimmingCharacters(in: .whitespaces)),
              let n = Int(parts[1].trimmingCharacters(in: .whitespaces)) else { throw .badShard(text) }
        try self.init(index: k, count: n)
    }

    private init(uncheckedIndex: Int, count: Int) {
        self.index = uncheckedIndex
        self.count = count
    }

    /// True when block number `block` is this shard's to compute.
    public func owns(_ block: Int) -> Bool { block % count == index }

    public var description: String { "\(index)/\(count)" }
}
