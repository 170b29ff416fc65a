import TrowelMLKernels

/// All trees of a forest concatenated into one struct-of-arrays node table, for prediction:
/// many voxels go through one tree at a time (the tree stays in L1), each stepping branch-free.
struct FlatForest: Sendable {
    var feature: [Int32] = []
    var threshold: [Float] = []
    var left: [Int32] = []
    /// Class probabilities of each node, `classCount` per node.
    var values: [Float] = []
    var roots: [Int] = []
    /// Depth of the deepest tree (sizes the traversal's stack).
    var maxDepth = 0
    let classCount: Int

    init(trees: [DecisionTree], classCount: Int) {
        self.classCount = classCount
        for tree in trees {
            let base = feature.count
            roots.append(base)
            maxDepth = max(maxDepth, tree.depth)
            feature += tree.feature
            threshold += tree.threshold
            left += tree.left.map { $0 + Int32(base) }
            values += tree.values
        }
    }

    /// Image rows per batch tile: callers that split an image into bands use multiples of it.
    static let tileRows = ForestTraversal.tileRows

    /// Mean class probabilities of `rows` × `width` voxels (row-major, `featureCount` features each,
    /// at `x`), written to `out` (`classCount` per voxel), by coherent traversal of tiles of
    /// neighbouring voxels (see `ForestTraversal.predict`). Single-threaded; callers split the rows
    /// across cores. `allowAVX2: false` runs the portable copy even where the CPU has AVX2.
    func predict(_ x: UnsafePointer<Float>, width: Int, rows: Int, featureCount f: Int,
                 into out: UnsafeMutablePointer<Float>, allowAVX2: Bool = true) {
        feature.withUnsafeBufferPointer { feat in
            threshold.withUnsafeBufferPointer { thr in
                left.withUnsafeBufferPointer { lft in
                    values.withUnsafeBufferPointer { val in
                        roots.withUnsafeBufferPointer { root in
                            let traversal = ForestTraversal(
                                feature: feat.baseAddress!, threshold: thr.baseAddress!, left: lft.baseAddress!,
                                values: val.baseAddress!, roots: root.baseAddress!, treeCount: roots.count,
                                maxDepth: maxDepth, classCount: classCount)
                            ForestKernels.predict(traversal, x, width: width, rows: rows, featureCount: f,
                                                  into: out, allowAVX2: allowAVX2)
                        }
                    }
                }
            }
        }
    }
}
