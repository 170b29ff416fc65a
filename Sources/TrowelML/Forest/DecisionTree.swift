/// One trained tree as flat arrays (struct of arrays), root at node 0. A node goes to child
/// `left[n]` when `x[feature[n]] <= threshold[n]`, else to `left[n] + 1`. A leaf has
/// `left[n] == n` and threshold +∞, so stepping a leaf stays on it (branch-free traversal).
public struct DecisionTree: Sendable, Equatable {
    var feature: [Int32]
    var threshold: [Float]
    var left: [Int32]
    /// Class probabilities per node, `classCount` values each (meaningful at leaves).
    var values: [Float]
    /// Levels below the root of the deepest leaf.
    public internal(set) var depth: Int

    public var nodeCount: Int { feature.count }

    func isLeaf(_ n: Int) -> Bool { Int(left[n]) == n }

    /// The leaf node a sample reaches.
    @inline(__always)
    func leaf(for x: UnsafePointer<Float>) -> Int {
        var n = 0
        while Int(left[n]) != n {
            n = Int(left[n]) + (x[Int(feature[n])] > threshold[n] ? 1 : 0)
        }
        return n
    }

    /// Depth of the deepest leaf, recomputed from the links (children always follow their parent).
    static func measureDepth(left: [Int32]) -> Int {
        var depth = [Int](repeating: 0, count: left.count)
        var deepest = 0
        for n in 0..<left.count where Int(left[n]) != n {
            let c = Int(left[n])
            depth[c] = depth[n] + 1
            depth[c + 1] = depth[n] + 1
            deepest = max(deepest, depth[n] + 1)
        }
        return deepest
    }
}
