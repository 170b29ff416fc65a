/// Decoded chunks kept in memory up to a byte budget, least recently used evicted first.
/// Thread-safe; share one cache between arrays (entries are keyed by array path and chunk index).
public final class ChunkCache: Sendable {
    /// One chunk of one array: the array's standardized file path and the chunk's grid index.
    public struct Key: Hashable, Sendable {
        public var array: String
        public var chunk: Index3
        public init(array: String, chunk: Index3) {
            self.array = array
            self.chunk = chunk
        }
    }

    /// Counters since creation (or the last `resetStatistics`), and current occupancy.
    public struct Statistics: Sendable, Equatable {
        /// Lookups answered from memory.
        public var hits = 0
        /// Lookups that had to go to disk (each is one chunk load, or one missing-chunk check).
        public var misses = 0
        public var insertions = 0
        public var evictions = 0
        /// Bytes of decoded chunks held now.
        public var bytes = 0
        /// Chunks held now.
        public var count = 0
    }

    /// The most decoded bytes kept at once.
    public let byteBudget: Int
    private let storage: Locked<LRU>

    /// A cache that holds at most `byteBudget` bytes of decoded chunks (0 keeps nothing).
    public init(byteBudget: Int) {
        self.byteBudget = max(0, byteBudget)
        self.storage = Locked(LRU())
    }

    public var statistics: Statistics { storage.withLock { $0.stats } }

    public func resetStatistics() {
        storage.withLock { lru in
            lru.stats.hits = 0
            lru.stats.misses = 0
            lru.stats.insertions = 0
            lru.stats.evictions = 0
        }
    }

    /// The cached chunk, marked as most recently used; counts a hit or a miss.
    public func value(for key: Key) -> AnyBlock? {
        storage.withLock { $0.value(for: key) }
    }

    /// Stores a decoded chunk (replacing any older one), evicting least recently used chunks to stay
    /// within budget. A chunk larger than the whole budget is not kept.
    public func insert(_ block: AnyBlock, for key: Key) {
        let cost = block.shape.voxelCount * block.dtype.size
        let budget = byteBudget
        storage.withLock { lru in
            lru.remove(key)
            guard cost <= budget else { return }
            lru.insert(block, cost: cost, for: key)
            while lru.stats.bytes > budget { lru.evictOldest() }
        }
    }

    public func removeValue(for key: Key) {
        storage.withLock { _ = $0.remove(key) }
    }

    /// Forgets every chunk of one array (after it is deleted or recreated).
    public func removeAll(array: String) {
        storage.withLock { lru in
            for key in lru.keys where key.array == array { lru.remove(key) }
        }
    }

    public func removeAll() {
        storage.withLock { lru in
            for key in lru.keys { lru.remove(key) }
        }
    }
}

/// A doubly linked list threaded through an array of nodes, with a dictionary from key to node:
/// O(1) lookup, touch, insert and evict.
private struct LRU {
    struct Node {
        var key: ChunkCache.Key
        var block: AnyBlock?
        var cost: Int
        var previous: Int
        var next: Int
    }

    var nodes: [Node] = []
    var free: [Int] = []
    var index: [ChunkCache.Key: Int] = [:]
    var head = -1  // most recent
    var tail = -1  // least recent
    var stats = ChunkCache.Statistics()

    var keys: [ChunkCache.Key] { Array(index.keys) }

    mutating func value(for key: ChunkCache.Key) -> AnyBlock? {
        guard let i = index[key] else {
            stats.misses += 1
            return nil
        }
        stats.hits += 1
        unlink(i)
        pushFront(i)
        return nodes[i].block
    }

    mutating func insert(_ block: AnyBlock, cost: Int, for key: ChunkCache.Key) {
        let node = Node(key: key, block: block, cost: cost, previous: -1, next: -1)
        let i: Int
        if let f = free.popLast() {
            nodes[f] = node
            i = f
        } else {
            nodes.append(node)
            i = nodes.count - 1
        }
        index[key] = i
        pushFront(i)
        stats.bytes += cost
        stats.count += 1
        stats.insertions += 1
    }

    @discardableResult
    mutating func remove(_ key: ChunkCache.Key) -> Bool {
        guard let i = index.removeValue(forKey: key) else { return false }
        unlink(i)
        stats.bytes -= nodes[i].cost
        stats.count -= 1
        nodes[i].block = nil
        free.append(i)
        return true
    }

    mutating func evictOldest() {
        guard tail >= 0 else { return }
        remove(nodes[tail].key)
        stats.evictions += 1
    }

    private mutating func unlink(_ i: Int) {
        let p = nodes[i].previous, n = nodes[i].next
        if p >= 0 { nodes[p].next = n } else { head = n }
        if n >= 0 { nodes[n].previous = p } else { tail = p }
        nodes[i].previous = -1
        nodes[i].next = -1
    }

    private mutating func pushFront(_ i: Int) {
        nodes[i].previous = -1
        nodes[i].next = head
        if head >= 0 { nodes[head].previous = i }
        head = i
        if tail < 0 { tail = i }
    }
}
