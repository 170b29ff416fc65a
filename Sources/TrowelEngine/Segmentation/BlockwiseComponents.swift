import TrowelVolume

/// The 6-connected components of a whole volume, found one block at a time: each block's own
/// components (`BlockComponents`) become nodes of a global union-find, numbered from the block's
/// `offsets` entry, and nodes that meet across a face between two blocks are joined. Only the far
/// faces of blocks whose neighbour across has not been added yet are kept (at most about one
/// plane of the volume per axis), so memory grows with the number of components, not voxels.
struct BlockwiseComponents {
    /// The components of a finished volume.
    struct Table {
        /// Per node (a block's offset + its local number): the index of its component.
        var componentOfNode: [Int]
        /// Voxels per component.
        var sizes: [Int]
        /// Each component's first voxel, as a flat index into the volume (z, y, x order).
        var firstVoxels: [Int]
        /// Whether each component has a voxel on the volume's faces.
        var touchesBorder: [Bool]

        var count: Int { sizes.count }
    }

    /// The blocks, added in their numbering order.
    let grid: BlockGrid
    /// Per block: the global number of its component 0 (valid once the block is added).
    private(set) var offsets: [Int]
    /// Blocks added so far.
    private(set) var added = 0

    private var parent: [Int] = []
    private var sizes: [Int] = []
    private var firstVoxels: [Int] = []
    private var touchesBorder: [Bool] = []
    /// Global node numbers (-1 for non-members) on the far x, y and z faces of added blocks, keyed
    /// by the block across that face, which removes them when it is added.
    private var farFaces: [[Int: [Int]]] = [[:], [:], [:]]

    init(grid: BlockGrid) {
        self.grid = grid
        self.offsets = [Int](repeating: 0, count: grid.count)
    }

    /// Adds the components of block number `added`.
    mutating func add(_ block: BlockComponents) {
        let b = added
        added += 1
        let box = grid.box(b)
        let s = box.shape, volume = grid.shape, counts = grid.counts
        precondition(block.shape == s, "block \(b) is \(block.shape), expected \(s)")
        let base = parent.count
        offsets[b] = base
        parent.append(contentsOf: base..<(base + block.count))
        sizes.append(contentsOf: block.sizes)
        touchesBorder.append(contentsOf: repeatElement(false, count: block.count))
        for j in block.firstVoxels {
            let z = j / (s.y * s.x), y = (j / s.x) % s.y, x = j % s.x
            firstVoxels.append(volume.offset(z: box.lower.z + z, y: box.lower.y + y, x: box.lower.x + x))
        }
        block.labels.withUnsafeBufferPointer { labels in
            /// The global node of the voxel at flat block index `i`, -1 for non-members.
            func node(_ i: Int) -> Int { labels[i] < 0 ? -1 : base + Int(labels[i]) }
            // Faces on the volume's border.
            for axis in [Axis.z, .y, .x] {
                var layers: [Int] = []
                if box.lower[axis] == 0 { layers.append(0) }
                if box.upper[axis] == volume[axis] { layers.append(s[axis] - 1) }
                for layer in Set(layers) {
                    Self.forEachVoxel(of: s, across: axis, at: layer) { _, i in
                        if labels[i] >= 0 { touchesBorder[base + Int(labels[i])] = true }
                    }
                }
            }
            // Near faces: join with the far faces the neighbours before this block left.
            for axis in [Axis.z, .y, .x] where box.lower[axis] > 0 {
                guard let face = farFaces[axis.rawValue].removeValue(forKey: b) else {
                    preconditionFailure("block \(b): the neighbour across \(axis) was not added")
                }
                Self.forEachVoxel(of: s, across: axis, at: 0) { k, i in
                    if labels[i] >= 0 && face[k] >= 0 { union(base + Int(labels[i]), face[k]) }
                }
            }
            // Far faces, for the neighbours after this block.
            let strides = [counts.y * counts.x, counts.x, 1]
            for axis in [Axis.z, .y, .x] where box.upper[axis] < volume[axis] {
                let plane = s.plane(across: axis)
                var face = [Int](repeating: -1, count: plane.rows * plane.columns)
                Self.forEachVoxel(of: s, across: axis, at: s[axis] - 1) { k, i in face[k] = node(i) }
                farFaces[axis.rawValue][b + strides[axis.rawValue]] = face
            }
        }
    }

    /// The components, once every block is added; consumes the union-find.
    mutating func finish() -> Table {
        precondition(added == grid.count, "\(added) of \(grid.count) blocks added")
        var table = Table(componentOfNode: [], sizes: [], firstVoxels: [], touchesBorder: [])
        var componentOfNode = [Int](repeating: 0, count: parent.count)
        // A root is the smallest node of its set, so it is met before its other nodes.
        for n in parent.indices {
            let r = find(n)
            let c: Int
            if r < n {
                c = componentOfNode[r]
                table.sizes[c] += sizes[n]
                table.firstVoxels[c] = min(table.firstVoxels[c], firstVoxels[n])
                table.touchesBorder[c] = table.touchesBorder[c] || touchesBorder[n]
            } else {
                c = table.sizes.count
                table.sizes.append(sizes[n])
                table.firstVoxels.append(firstVoxels[n])
                table.touchesBorder.append(touchesBorder[n])
            }
            componentOfNode[n] = c
        }
        table.componentOfNode = componentOfNode
        parent = []
        sizes = []
        firstVoxels = []
        touchesBorder = []
        return table
    }

    /// The root of node `i`, halving the path on the way.
    private mutating func find(_ i: Int) -> Int {
        var i = i
        while parent[i] != i {
            let grand = parent[parent[i]]
            parent[i] = grand
            i = grand
        }
        return i
    }

    private mutating func union(_ a: Int, _ b: Int) {
        let ra = find(a), rb = find(b)
        if ra < rb { parent[rb] = ra } else if rb < ra { parent[ra] = rb }
    }

    /// Calls `body(k, i)` for every voxel of the plane `layer` across `axis` of a block of shape
    /// `s`: `k` is the voxel's index within the plane (rows, then columns, as `Shape.plane`), `i`
    /// its flat index in the block.
    private static func forEachVoxel(of s: Shape, across axis: Axis, at layer: Int, _ body: (Int, Int) -> Void) {
        var k = 0
        switch axis {
        case .z:
            for y in 0..<s.y { for x in 0..<s.x { body(k, s.offset(z: layer, y: y, x: x)); k += 1 } }
        case .y:
            for z in 0..<s.z { for x in 0..<s.x { body(k, s.offset(z: z, y: layer, x: x)); k += 1 } }
        case .x:
            for z in 0..<s.z { for y in 0..<s.y { body(k, s.offset(z: z, y: y, x: layer)); k += 1 } }
        }
    }
}
