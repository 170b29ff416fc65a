import Foundation

/// A binary min-heap of candidate edge collapses, cheapest first. Entries go stale when either
/// end vertex changes; the decimator skips them when they surface instead of searching the heap.
///
/// Entries are 16 bytes: the cost and a `CollapseKey` naming the edge through a face corner. The
/// storage grows with `realloc`, which for large blocks remaps pages rather than copying them, so
/// growing never holds the old and the new heap at once. The sifts compare costs exactly as the
/// first version did: among equal costs (common on voxel surfaces) the heap's layout decides which
/// edge goes first, so the layout, stale entries included, is part of the decimator's output.
struct CollapseQueue: ~Copyable {
    /// A queued collapse: its cost and which edge it is for.
    struct Entry {
        var cost: Double
        var key: CollapseKey
    }

    private var base: UnsafeMutablePointer<Entry>?
    private var capacity = 0
    private(set) var count = 0

    init() {}

    deinit { free(base) }

    var isEmpty: Bool { count == 0 }

    /// Room for `n` entries (address space only: pages are touched as entries arrive).
    mutating func reserve(_ n: Int) {
        guard n > capacity else { return }
        guard let raw = realloc(base, n * MemoryLayout<Entry>.stride) else {
            fatalError("out of memory growing the decimation queue to \(n) entries")
        }
        base = raw.bindMemory(to: Entry.self, capacity: n)
        capacity = n
    }

    mutating func push(_ entry: Entry) {
        if count == capacity { reserve(max(1024, capacity * 2)) }
        let heap = base!
        heap[count] = entry
        var i = count
        count += 1
        while i > 0 {
            let parent = (i - 1) / 2
            if heap[parent].cost <= heap[i].cost { break }
            heap.swapAt(parent, i)
            i = parent
        }
    }

    mutating func pop() -> Entry? {
        guard count > 0, let heap = base else { return nil }
        let top = heap[0]
        count -= 1
        if count == 0 { return top }
        heap[0] = heap[count]
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < count && heap[l].cost < heap[m].cost { m = l }
            if r < count && heap[r].cost < heap[m].cost { m = r }
            if m == i { break }
            heap.swapAt(m, i)
            i = m
        }
        return top
    }
}

extension UnsafeMutablePointer {
    /// Exchanges the pointees at offsets `i` and `j`.
    @inline(__always) fileprivate func swapAt(_ i: Int, _ j: Int) {
        let t = self[i]
        self[i] = self[j]
        self[j] = t
    }
}
