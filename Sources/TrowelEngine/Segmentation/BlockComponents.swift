import TrowelVolume

/// The 6-connected components of the member voxels of one block, numbered 0, 1, … in the order of
/// their first voxel (z, y, x). Labelling the same block again gives the same numbers, so blockwise
/// post-processing can label a block in one sweep and recognise its components in the next without
/// keeping any labels between sweeps. Memory: 4 bytes a voxel of the block.
struct BlockComponents {
    /// Which voxels are members: those equal to `value` when `equal`, those different otherwise.
    struct Membership {
        var value: UInt8
        var equal: Bool

        @inline(__always)
        func contains(_ v: UInt8) -> Bool { (v == value) == equal }
    }

    /// The labelled block's shape.
    let shape: Shape
    /// Per voxel: its component's number, -1 for non-members.
    let labels: [Int32]
    /// Voxels per component.
    let sizes: [Int]
    /// Each component's first voxel, as a flat index into the block.
    let firstVoxels: [Int]

    /// The largest block whose flat indices fit the `Int32` buffer.
    static let maximumVoxels = Int(Int32.max)

    /// The number of components.
    var count: Int { sizes.count }

    /// Labels the members of `block`, which must have at most `maximumVoxels` voxels.
    init(of block: Block<UInt8>, members: Membership) {
        let shape = block.shape
        precondition(shape.voxelCount <= Self.maximumVoxels, "block of \(shape.voxelCount) voxels")
        let nx = shape.x, nxy = shape.y * shape.x
        var parent = [Int32](repeating: -1, count: shape.voxelCount)
        var sizes: [Int] = []
        var firstVoxels: [Int] = []
        parent.withUnsafeMutableBufferPointer { p in
            block.elements.withUnsafeBufferPointer { v in
                /// The root of `i`, halving the path on the way.
                func find(_ i: Int) -> Int {
                    var i = i
                    while Int(p[i]) != i {
                        let grand = p[Int(p[i])]
                        p[i] = grand
                        i = Int(grand)
                    }
                    return i
                }
                /// Joins the sets of `a` and `b`; the smaller index is the root, so roots precede their members.
                func union(_ a: Int, _ b: Int) {
                    let ra = find(a), rb = find(b)
                    if ra < rb { p[rb] = Int32(ra) } else if rb < ra { p[ra] = Int32(rb) }
                }
                var i = 0
                for z in 0..<shape.z {
                    for y in 0..<shape.y {
                        for x in 0..<shape.x {
                            defer { i += 1 }
                            guard members.contains(v[i]) else { continue }
                            p[i] = Int32(i)
                            if x > 0 && p[i - 1] >= 0 { union(i, i - 1) }
                            if y > 0 && p[i - nx] >= 0 { union(i, i - nx) }
                            if z > 0 && p[i - nxy] >= 0 { union(i, i - nxy) }
                        }
                    }
                }
                // Every parent precedes its child, so one forward pass numbers the roots in order and
                // hands each member the number its parent (already visited) received.
                for j in 0..<p.count where p[j] >= 0 {
                    if Int(p[j]) == j {
                        p[j] = Int32(sizes.count)
                        sizes.append(1)
                        firstVoxels.append(j)
                    } else {
                        let label = p[Int(p[j])]
                        p[j] = label
                        sizes[Int(label)] += 1
                    }
                }
            }
        }
        self.shape = shape
        self.labels = parent
        self.sizes = sizes
        self.firstVoxels = firstVoxels
    }
}
