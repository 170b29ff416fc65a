/// All trees of a forest concatenated into one struct-of-arrays node table, for prediction:
/// many voxels go through one tree at a time (the tree stays in L1), each stepping branch-free.
struct FlatForest: Sendable {
    var feature: [Int32] = []
    var threshold: [Float] = []
    var left: [Int32] = []
    /// Class probabilities of each node, `classCount` per node.
    var values: [Float] = []
    var roots: [Int] = []
    var depths: [Int] = []
    let classCount: Int

    init(trees: [DecisionTree], classCount: Int) {
        self.classCount = classCount
        for tree in trees {
            let base = feature.count
            roots.append(base)
            depths.append(tree.depth)
            feature += tree.feature
            threshold += tree.threshold
            left += tree.left.map { $0 + Int32(base) }
            values += tree.values
        }
    }

    /// Voxels per batch. Neighbouring voxels have similar features, so a batch usually follows only
    /// a few paths through a tree.
    static let batch = 32
    /// Image rows per batch tile (tiles are 4 × 8 voxels: closer neighbours than a run of 32).
    static let tileRows = 4

    /// Mean class probabilities of `rows` × `width` voxels (row-major, `featureCount` features each,
    /// at `x`), written to `out` (`classCount` per voxel). Batches are tiles of neighbouring voxels.
    /// Single-threaded; callers split the rows across cores.
    ///
    /// Coherent traversal: a batch of neighbouring voxels goes down a tree together as a lane mask.
    /// Each visited node tests all lanes at once (a loop the compiler vectorises) and passes the
    /// lanes that go left and right on to its children; empty sides are not visited. So the work is
    /// the union of the batch's paths, with no chain of dependent loads per voxel. Results equal a
    /// plain walk of every voxel exactly (each voxel still adds one leaf per tree, in tree order).
    func predict(_ x: UnsafePointer<Float>, width: Int, rows: Int, featureCount f: Int, into out: UnsafeMutablePointer<Float>) {
        let k = classCount, b = FlatForest.batch
        let tileRows = rows >= FlatForest.tileRows ? FlatForest.tileRows : 1
        let tileColumns = b / tileRows
        let offsets = UnsafeMutablePointer<Int>.allocate(capacity: b)
        defer { offsets.deallocate() }
        let treeCount = roots.count
        let scale = treeCount > 0 ? 1 / Float(treeCount) : 0
        let maxDepth = depths.max() ?? 0
        // Batch features, feature-major: xt[j * b + p].
        let xt = UnsafeMutablePointer<Float>.allocate(capacity: f * b)
        let acc = UnsafeMutablePointer<Float>.allocate(capacity: k * b)       // acc[c * b + p]
        // Stack of (node, lane mask); masks are b Int32 lanes, -1 = voxel present.
        let stackCapacity = 2 * (maxDepth + 2)
        let stackNodes = UnsafeMutablePointer<Int>.allocate(capacity: stackCapacity)
        let stackMasks = UnsafeMutablePointer<Int32>.allocate(capacity: (stackCapacity + 1) * b)
        let valid = UnsafeMutablePointer<Int32>.allocate(capacity: b)
        defer {
            xt.deallocate(); acc.deallocate(); stackNodes.deallocate(); stackMasks.deallocate()
            valid.deallocate()
        }
        feature.withUnsafeBufferPointer { feat in
            threshold.withUnsafeBufferPointer { thr in
                left.withUnsafeBufferPointer { lft in
                    values.withUnsafeBufferPointer { val in
                        for r0 in stride(from: 0, to: rows, by: tileRows) {
                          for c0 in stride(from: 0, to: width, by: tileColumns) {
                            // Gather and transpose the tile; lanes outside the image repeat a voxel and stay masked off.
                            for p in 0..<b {
                                let r = r0 + p / tileColumns, c = c0 + p % tileColumns
                                let inside = r < rows && c < width
                                offsets[p] = inside ? r * width + c : -1
                                valid[p] = inside ? -1 : 0
                                let row = x + (inside ? r * width + c : r0 * width + c0) * f
                                for j in 0..<f { xt[j * b + p] = row[j] }
                            }
                            for i in 0..<(k * b) { acc[i] = 0 }
                            for t in 0..<treeCount {
                                stackNodes[0] = roots[t]
                                stackMasks.update(from: valid, count: b)
                                var top = 1
                                while top > 0 {
                                    top -= 1
                                    var nd = stackNodes[top]
                                    let slot = stackMasks + top * b
                                    let goRight = slot + b
                                    // Follow this lane set down; only a node that splits it pushes a second set.
                                    var split = false
                                    while Int(lft[nd]) != nd {
                                        let column = UnsafePointer(xt + Int(feat[nd]) * b)
                                        let threshold = thr[nd]
                                        var anyLeft: Int32 = 0, anyRight: Int32 = 0
                                        for q in 0..<b {
                                            let gt: Int32 = column[q] > threshold ? -1 : 0
                                            let lanes = slot[q]
                                            let r = lanes & gt
                                            goRight[q] = r
                                            anyRight |= r
                                            anyLeft |= lanes & ~gt
                                        }
                                        let child = Int(lft[nd])
                                        if anyRight == 0 {
                                            nd = child              // all lanes go left: the set is unchanged
                                        } else if anyLeft == 0 {
                                            nd = child + 1          // all lanes go right: likewise
                                        } else {
                                            // Split: the left set stays in this slot, the right one is in the next.
                                            for q in 0..<b { slot[q] &= ~goRight[q] }
                                            stackNodes[top] = child
                                            stackNodes[top + 1] = child + 1
                                            top += 2
                                            split = true
                                            break
                                        }
                                    }
                                    if split { continue }
                                    for c in 0..<k {
                                        let leaf = val[nd * k + c].bitPattern
                                        let a = acc + c * b
                                        for q in 0..<b { a[q] += Float(bitPattern: UInt32(bitPattern: slot[q]) & leaf) }
                                    }
                                }
                            }
                            for p in 0..<b where offsets[p] >= 0 {
                                for c in 0..<k { out[offsets[p] * k + c] = acc[c * b + p] * scale }
                            }
                          }
                        }
                    }
                }
            }
        }
    }
}
