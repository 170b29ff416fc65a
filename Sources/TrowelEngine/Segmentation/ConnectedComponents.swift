import TrowelVolume

/// The 6-connected components of the voxels of a uint8 volume that satisfy a test, found by
/// union-find over one flat `Int32` buffer (4 bytes a voxel, no per-voxel allocation).
/// Each voxel's entry is the flat index of its component's root (the component's first voxel in
/// z, y, x order), or -1 for voxels outside the set. Post-processing no longer uses it (it labels
/// blocks with `BlockComponents` and joins them with `BlockwiseComponents`); it stays as the
/// whole-volume reference those are tested against.
public struct ConnectedComponents: Sendable {
    /// The labelled volume's shape.
    public let shape: Shape
    /// Per voxel: the flat index of its component's root, -1 when not in the set.
    public let roots: [Int32]
    /// Voxels per component, keyed by root.
    public let sizes: [Int32: Int]

    /// The largest volume that fits the `Int32` buffer.
    public static let maximumVoxels = Int(Int32.max)

    /// Labels the voxels of `volume` whose value passes `isMember`.
    public init(of volume: Block<UInt8>, where isMember: (UInt8) -> Bool) throws(PostProcessingError) {
        let shape = volume.shape
        guard shape.voxelCount <= Self.maximumVoxels else { throw .tooLarge(voxels: shape.voxelCount) }
        let nx = shape.x, nxy = shape.y * shape.x
        var parent = [Int32](repeating: -1, count: shape.voxelCount)
        parent.withUnsafeMutableBufferPointer { p in
            volume.elements.withUnsafeBufferPointer { v in
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
                            guard isMember(v[i]) else { continue }
                            p[i] = Int32(i)
                            if x > 0 && p[i - 1] >= 0 { union(i, i - 1) }
                            if y > 0 && p[i - nx] >= 0 { union(i, i - nx) }
                            if z > 0 && p[i - nxy] >= 0 { union(i, i - nxy) }
                        }
                    }
                }
                // Every parent precedes its child, so one forward pass leaves each voxel on its root.
                for j in 0..<p.count where p[j] >= 0 {
                    p[j] = p[Int(p[j])]
                }
            }
        }
        var sizes: [Int32: Int] = [:]
        for r in parent where r >= 0 { sizes[r, default: 0] += 1 }
        self.shape = shape
        self.roots = parent
        self.sizes = sizes
    }

    /// The number of components.
    public var count: Int { sizes.count }

    /// The roots of the components with at least one voxel on the volume's faces.
    public func rootsTouchingBorder() -> Set<Int32> {
        var touching = Set<Int32>()
        func note(_ z: Int, _ y: Int, _ x: Int) {
            let r = roots[shape.offset(z: z, y: y, x: x)]
            if r >= 0 { touching.insert(r) }
        }
        for z in 0..<shape.z {
            for y in 0..<shape.y {
                let onFace = z == 0 || z == shape.z - 1 || y == 0 || y == shape.y - 1
                if onFace {
                    for x in 0..<shape.x { note(z, y, x) }
                } else if shape.x > 0 {
                    note(z, y, 0)
                    note(z, y, shape.x - 1)
                }
            }
        }
        return touching
    }
}
