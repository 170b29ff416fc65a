import TrowelVolume

/// The reference blockwise post-processing is tested against: the 6-connected components of a
/// whole volume by breadth-first flood fill — a different algorithm from the union-find of
/// `BlockComponents`, simple enough to trust. A component's root is its first voxel in (z, y, x)
/// order, the flat index the fill starts from.
struct ConnectedComponents {
    let shape: Shape
    /// Per voxel: the flat index of its component's root, -1 when not in the set.
    let roots: [Int32]
    /// Voxels per component, keyed by root.
    let sizes: [Int32: Int]

    init(of volume: Block<UInt8>, where isMember: (UInt8) -> Bool) {
        let shape = volume.shape
        var roots = [Int32](repeating: -1, count: shape.voxelCount)
        var sizes: [Int32: Int] = [:]
        var queue: [Int] = []
        for start in 0..<shape.voxelCount where roots[start] < 0 && isMember(volume.elements[start]) {
            let root = Int32(start)
            roots[start] = root
            queue = [start]
            var head = 0
            while head < queue.count {
                let i = queue[head]
                head += 1
                let z = i / (shape.y * shape.x), y = i / shape.x % shape.y, x = i % shape.x
                for (dz, dy, dx) in [(-1, 0, 0), (1, 0, 0), (0, -1, 0), (0, 1, 0), (0, 0, -1), (0, 0, 1)] {
                    let (nz, ny, nx) = (z + dz, y + dy, x + dx)
                    guard (0..<shape.z).contains(nz), (0..<shape.y).contains(ny), (0..<shape.x).contains(nx) else { continue }
                    let j = shape.offset(z: nz, y: ny, x: nx)
                    if roots[j] < 0 && isMember(volume.elements[j]) {
                        roots[j] = root
                        queue.append(j)
                    }
                }
            }
            sizes[root] = queue.count
        }
        self.shape = shape
        self.roots = roots
        self.sizes = sizes
    }

    /// The number of components.
    var count: Int { sizes.count }

    /// The roots of the components with at least one voxel on the volume's faces.
    func rootsTouchingBorder() -> Set<Int32> {
        var touching = Set<Int32>()
        for z in 0..<shape.z {
            for y in 0..<shape.y {
                for x in 0..<shape.x where z == 0 || y == 0 || x == 0 || z == shape.z - 1 || y == shape.y - 1 || x == shape.x - 1 {
                    let r = roots[shape.offset(z: z, y: y, x: x)]
                    if r >= 0 { touching.insert(r) }
                }
            }
        }
        return touching
    }
}
