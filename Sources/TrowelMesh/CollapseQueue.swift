/// A binary min-heap of candidate edge collapses, cheapest first. Entries go stale when either
/// end vertex changes; the stamps let the decimator skip them instead of searching the heap.
struct CollapseQueue {
    struct Entry {
        var cost: Double
        var u: Int32
        var v: Int32
        var stampU: UInt32
        var stampV: UInt32
    }

    private var heap: [Entry] = []

    var isEmpty: Bool { heap.isEmpty }

    mutating func reserve(_ n: Int) { heap.reserveCapacity(n) }

    mutating func push(_ entry: Entry) {
        heap.append(entry)
        var i = heap.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            if heap[parent].cost <= heap[i].cost { break }
            heap.swapAt(parent, i)
            i = parent
        }
    }

    mutating func pop() -> Entry? {
        guard let top = heap.first else { return nil }
        let last = heap.removeLast()
        if heap.isEmpty { return top }
        heap[0] = last
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < heap.count && heap[l].cost < heap[m].cost { m = l }
            if r < heap.count && heap[r].cost < heap[m].cost { m = r }
            if m == i { break }
            heap.swapAt(m, i)
            i = m
        }
        return top
    }
}
