/// A flat random forest seen through raw pointers, and the coherent tile traversal that predicts
/// with it. The traversal is `@inlinable` so that `TrowelMLKernelsAVX2` can compile a second copy
/// for CPUs with AVX2; TrowelML picks one at run time (see `ForestKernels`).
public struct ForestTraversal {
    /// Feature tested at each node.
    public let feature: UnsafePointer<Int32>
    /// Threshold of each node: a voxel goes right when its feature value is greater.
    public let threshold: UnsafePointer<Float>
    /// Left child of each node (the right child follows it); a leaf points at itself.
    public let left: UnsafePointer<Int32>
    /// Class probabilities of each node, `classCount` per node.
    public let values: UnsafePointer<Float>
    /// Root node of each tree.
    public let roots: UnsafePointer<Int>
    public let treeCount: Int
    /// Depth of the deepest tree (sizes the traversal stack).
    public let maxDepth: Int
    public let classCount: Int

    public init(feature: UnsafePointer<Int32>, threshold: UnsafePointer<Float>, left: UnsafePointer<Int32>,
                values: UnsafePointer<Float>, roots: UnsafePointer<Int>, treeCount: Int, maxDepth: Int, classCount: Int) {
        self.feature = feature
        self.threshold = threshold
        self.left = left
        self.values = values
        self.roots = roots
        self.treeCount = treeCount
        self.maxDepth = maxDepth
        self.classCount = classCount
    }

    /// Voxels per batch. Neighbouring voxels have similar features, so a batch usually follows only
    /// a few paths through a tree.
    @inlinable public static var batch: Int { 64 }
    /// Image rows per batch tile (tiles are 8 × 8 voxels: closer neighbours than a run of 64).
    @inlinable public static var tileRows: Int { 8 }

    /// Mean class probabilities of `rows` × `width` voxels (row-major, `featureCount` features each,
    /// at `x`), written to `out` (`classCount` per voxel). Batches are tiles of neighbouring voxels.
    /// Single-threaded; callers split the rows across cores.
    ///
    /// Coherent traversal: a batch of neighbouring voxels goes down a tree together as a lane mask.
    /// Each visited node tests all lanes at once (a loop the compiler vectorises) and passes the
    /// lanes that go left and right on to its children; empty sides are not visited. While no node
    /// has split the batch, every lane is present and no mask is loaded or applied. So the work is
    /// the union of the batch's paths, with no chain of dependent loads per voxel. Results equal a
    /// plain walk of every voxel exactly (each voxel still adds one leaf per tree, in tree order).
    @inlinable @inline(__always)
    public func predict(_ x: UnsafePointer<Float>, width: Int, rows: Int, featureCount f: Int,
                        into out: UnsafeMutablePointer<Float>) {
        let k = classCount, b = ForestTraversal.batch
        let tileRows = rows >= ForestTraversal.tileRows ? ForestTraversal.tileRows : 1
        let tileColumns = b / tileRows
        let scale = treeCount > 0 ? 1 / Float(treeCount) : 0
        let offsets = UnsafeMutablePointer<Int>.allocate(capacity: b)
        // Batch features, feature-major: xt[j * b + p].
        let xt = UnsafeMutablePointer<Float>.allocate(capacity: f * b)
        let acc = UnsafeMutablePointer<Float>.allocate(capacity: k * b)       // acc[c * b + p]
        // Stack of (node, lane mask); masks are b Int32 lanes, -1 = voxel present.
        let stackCapacity = 2 * (maxDepth + 2)
        let stackNodes = UnsafeMutablePointer<Int>.allocate(capacity: stackCapacity)
        let stackMasks = UnsafeMutablePointer<Int32>.allocate(capacity: (stackCapacity + 1) * b)
        let valid = UnsafeMutablePointer<Int32>.allocate(capacity: b)
        defer {
            offsets.deallocate(); xt.deallocate(); acc.deallocate()
            stackNodes.deallocate(); stackMasks.deallocate(); valid.deallocate()
        }
        let tilesAcross = (width + tileColumns - 1) / tileColumns
        let tileCount = ((rows + tileRows - 1) / tileRows) * tilesAcross
        for tile in 0..<tileCount {
            let r0 = tile / tilesAcross * tileRows, c0 = tile % tilesAcross * tileColumns
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
            let full = ForestTraversal.tileIsFull(valid, b)
            for tree in 0..<treeCount {
                var top = 0
                if full {
                    // Every lane present: no mask to load or apply until the batch splits.
                    var nd = roots[tree]
                    var split = false
                    while Int(left[nd]) != nd {
                        let column = UnsafePointer(xt + Int(feature[nd]) * b)
                        let limit = threshold[nd]
                        var anyRight: Int32 = 0, allRight: Int32 = -1
                        for q in 0..<b {
                            let gt: Int32 = column[q] > limit ? -1 : 0
                            anyRight |= gt
                            allRight &= gt
                        }
                        let child = Int(left[nd])
                        if anyRight == 0 {
                            nd = child
                        } else if allRight != 0 {
                            nd = child + 1
                        } else {
                            let goLeft = stackMasks, goRight = stackMasks + b
                            for q in 0..<b {
                                let gt: Int32 = column[q] > limit ? -1 : 0
                                goLeft[q] = ~gt
                                goRight[q] = gt
                            }
                            stackNodes[0] = child
                            stackNodes[1] = child + 1
                            top = 2
                            split = true
                            break
                        }
                    }
                    if !split {
                        for c in 0..<k {
                            let leaf = values[nd * k + c]
                            let a = acc + c * b
                            for q in 0..<b { a[q] += leaf }
                        }
                        continue
                    }
                } else {
                    stackNodes[0] = roots[tree]
                    stackMasks.update(from: valid, count: b)
                    top = 1
                }
                while top > 0 {
                    top -= 1
                    var nd = stackNodes[top]
                    let slot = stackMasks + top * b
                    let goRight = slot + b
                    // Follow this lane set down; only a node that splits it pushes a second set.
                    var split = false
                    while Int(left[nd]) != nd {
                        let column = UnsafePointer(xt + Int(feature[nd]) * b)
                        let limit = threshold[nd]
                        var anyLeft: Int32 = 0, anyRight: Int32 = 0
                        for q in 0..<b {
                            let gt: Int32 = column[q] > limit ? -1 : 0
                            let lanes = slot[q]
                            let r = lanes & gt
                            goRight[q] = r
                            anyRight |= r
                            anyLeft |= lanes & ~gt
                        }
                        let child = Int(left[nd])
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
                        let leaf = values[nd * k + c].bitPattern
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

    /// Whether every lane of a batch holds a voxel (all but the tiles at the image's right and bottom edges).
    @inlinable @inline(__always)
    static func tileIsFull(_ valid: UnsafePointer<Int32>, _ b: Int) -> Bool {
        var all: Int32 = -1
        for q in 0..<b { all &= valid[q] }
        return all != 0
    }
}
