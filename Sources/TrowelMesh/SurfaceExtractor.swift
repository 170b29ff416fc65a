import TrowelVolume

/// Blockwise marching tetrahedra on the mask `label == class id`, as a level set at 0.5 with a
/// zero border, so the surface is closed even where the object touches the edge of the scan.
///
/// Blocks of cubes read their corner voxels with a one-voxel overlap, so each cube is processed
/// exactly once; a vertex is named by its grid edge (lower grid point × 8 + direction), and edges
/// in a block's boundary planes are looked up in a seam map, so seam vertices are shared and the
/// mesh is one welded surface. Blocks are visited z-slab by z-slab, and after each slab the seam
/// entries below the next slab are dropped (no later block can name them), so the extractor's
/// memory is one block plus one slab's seam vertices; the surface goes to a `MeshSink`, which
/// either keeps it (`TriangleMesh`) or streams it to disk (`MeshWriter.writeSurface`).
public struct SurfaceExtractor: Sendable {
    /// Cubes per block side (the block reads one more voxel per axis).
    public var blockSide: Int
    /// 1 = full resolution; k = each k³ group of voxels counts as inside when any of its voxels is
    /// (a max-downsampled mask, which keeps thin struts that a majority vote would erase).
    public var downsample: Int

    public init(blockSide: Int = 64, downsample: Int = 1) throws(MeshError) {
        guard blockSide >= 2 else { throw .badBlockSide(blockSide) }
        guard (1...16).contains(downsample) else { throw .badDownsample(downsample) }
        self.blockSide = blockSide
        self.downsample = downsample
    }

    /// The surface of voxels equal to `classID` in `source`, in micrometres, as one mesh in memory.
    /// `progress(done, total)` is called after each block; `isCancelled` is polled between blocks.
    public func surface(
        of classID: UInt8, in source: LabelSource,
        progress: (Int, Int) -> Void = { _, _ in }, isCancelled: () -> Bool = { false }
    ) throws(MeshError) -> TriangleMesh {
        var mesh = TriangleMesh()
        try surface(of: classID, in: source, into: &mesh, progress: progress, isCancelled: isCancelled)
        return mesh
    }

    /// The surface of voxels equal to `classID` in `source`, in micrometres, given to `sink` vertex
    /// by vertex and triangle by triangle (numbering vertices from 0), with `endBlock` after each
    /// block that had a surface. `progress(done, total)` is called after each block; `isCancelled`
    /// is polled between blocks.
    public func surface<Sink: MeshSink & ~Copyable>(
        of classID: UInt8, in source: LabelSource, into sink: inout Sink,
        progress: (Int, Int) -> Void = { _, _ in }, isCancelled: () -> Bool = { false }
    ) throws(MeshError) {
        let f = downsample
        let n = source.shape
        let grid = Shape(z: (n.z + f - 1) / f, y: (n.y + f - 1) / f, x: (n.x + f - 1) / f)
        let table = TetrahedraTable.shared
        let spacing = SIMD3<Double>(source.voxelSize.x, source.voxelSize.y, source.voxelSize.z) * Double(f)
        // Cubes have lower corners -1 ..< grid (the border voxels -1 and grid are zero).
        let starts = (z: Array(stride(from: -1, to: grid.z, by: blockSide)),
                      y: Array(stride(from: -1, to: grid.y, by: blockSide)),
                      x: Array(stride(from: -1, to: grid.x, by: blockSide)))
        let total = starts.z.count * starts.y.count * starts.x.count
        var vertexCount = 0
        var seam: [Int: UInt32] = [:]
        let side = blockSide + 1
        let mask = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: side * side * side)
        let slot = UnsafeMutableBufferPointer<Int32>.allocate(capacity: side * side * side * 8)
        defer {
            mask.deallocate()
            slot.deallocate()
        }
        var done = 0
        let pointStride = (y: grid.x + 2, z: (grid.x + 2) * (grid.y + 2))
        let zero = SIMD3<Float>.zero
        for z0 in starts.z {
            for y0 in starts.y {
                for x0 in starts.x {
                    if isCancelled() { throw .cancelled }
                    let cubes = (z: min(blockSide, grid.z - z0), y: min(blockSide, grid.y - y0), x: min(blockSide, grid.x - x0))
                    let points = Shape(z: cubes.z + 1, y: cubes.y + 1, x: cubes.x + 1)
                    let origin = Index3(z: z0, y: y0, x: x0)
                    let found = try fillMask(mask, points: points, origin: origin, grid: grid, classID: classID, source: source)
                    done += 1
                    if !found { progress(done, total); continue }
                    let sx = points.x, sxy = points.x * points.y
                    var cornerOffset = [Int](repeating: 0, count: 8)
                    for c in 0..<8 {
                        let o = TetrahedraTable.offset(ofCorner: c)
                        cornerOffset[c] = o.z * sxy + o.y * sx + o.x
                    }
                    slot.baseAddress!.update(repeating: -1, count: points.voxelCount * 8)
                    for z in 0..<cubes.z {
                        for y in 0..<cubes.y {
                            for x in 0..<cubes.x {
                                let base = z * sxy + y * sx + x
                                var k = 0
                                for c in 0..<8 where mask[base + cornerOffset[c]] != 0 { k |= 1 << c }
                                if k == 0 || k == 255 { continue }
                                var t = Int(table.caseStart[k])
                                let end = Int(table.caseStart[k + 1])
                                while t < end {
                                    var triangle = SIMD3<UInt32>(0, 0, 0)
                                    var corners = (zero, zero, zero)
                                    for v in 0..<3 {
                                        let e = Int(table.triangleEdges[3 * t + v])
                                        let a = TetrahedraTable.offset(ofCorner: Int(table.edgeLower[e]))
                                        let d = Int(table.edgeDirection[e])
                                        let (pz, py, px) = (z + a.z, y + a.y, x + a.x)
                                        let s = (pz * sxy + py * sx + px) * 8 + d
                                        let gz = z0 + pz, gy = y0 + py, gx = x0 + px
                                        if slot[s] < 0 {
                                            let onSeam = (d & 1 == 0 && (px == 0 || px == cubes.x))
                                                || (d & 2 == 0 && (py == 0 || py == cubes.y))
                                                || (d & 4 == 0 && (pz == 0 || pz == cubes.z))
                                            let key = (((gz + 1) * pointStride.z + (gy + 1) * pointStride.y + (gx + 1)) << 3) | d
                                            if onSeam, let known = seam[key] {
                                                slot[s] = Int32(bitPattern: known)
                                            } else {
                                                guard vertexCount < Int(Int32.max) else { throw .tooManyVertices }
                                                let index = UInt32(vertexCount)
                                                vertexCount += 1
                                                sink.addVertex(Self.position(gx, gy, gz, d, spacing))
                                                if onSeam { seam[key] = index }
                                                slot[s] = Int32(bitPattern: index)
                                            }
                                        }
                                        triangle[v] = UInt32(bitPattern: slot[s])
                                        if Sink.wantsCorners {
                                            let p = Self.position(gx, gy, gz, d, spacing)
                                            switch v {
                                            case 0: corners.0 = p
                                            case 1: corners.1 = p
                                            default: corners.2 = p
                                            }
                                        }
                                    }
                                    sink.addTriangle(triangle, corners: corners)
                                    t += 1
                                }
                            }
                        }
                    }
                    try sink.endBlock()
                    progress(done, total)
                }
            }
            // The next slab's blocks start at grid z = z0 + blockSide and never name an edge whose
            // lower point lies below it; keys grow with z, so those entries are the keys below `limit`.
            let limit = ((z0 + blockSide + 1) * pointStride.z) << 3
            seam = seam.filter { $0.key >= limit }
        }
    }

    /// The position in micrometres of the vertex on grid edge (`gx`, `gy`, `gz`) + direction `d`:
    /// the edge's midpoint, with voxel centres at (i + 0.5) × spacing.
    @inline(__always) static func position(_ gx: Int, _ gy: Int, _ gz: Int, _ d: Int, _ spacing: SIMD3<Double>) -> SIMD3<Float> {
        let p = SIMD3<Double>(
            Double(gx) + 0.5 + 0.5 * Double(d & 1),
            Double(gy) + 0.5 + 0.5 * Double(d >> 1 & 1),
            Double(gz) + 0.5 + 0.5 * Double(d >> 2 & 1))
        return SIMD3<Float>(p * spacing)
    }

    /// Fills `mask` (points.z × points.y × points.x, grid coordinates from `origin`) with 1 where the
    /// (downsampled) label equals `classID`, 0 elsewhere and outside the volume. Returns whether the
    /// block holds both values (else it has no surface).
    private func fillMask(_ m: UnsafeMutableBufferPointer<UInt8>, points: Shape, origin: Index3, grid: Shape, classID: UInt8,
                          source: LabelSource) throws(MeshError) -> Bool {
        let count = points.voxelCount
        m.baseAddress!.update(repeating: 0, count: count)
        let inside = Box(origin: origin, shape: points).intersection(grid.box)
        if inside.isEmpty { return false }
        let f = downsample
        let sourceBox = Box(lower: Index3(z: inside.lower.z * f, y: inside.lower.y * f, x: inside.lower.x * f),
                            upper: Index3(z: inside.upper.z * f, y: inside.upper.y * f, x: inside.upper.x * f))
            .intersection(source.shape.box)
        let labels = try source.read(sourceBox)
        let ls = labels.shape
        var ones = 0
        labels.elements.withUnsafeBufferPointer { l in
            for z in 0..<ls.z {
                let mz = (sourceBox.lower.z + z) / f - origin.z
                for y in 0..<ls.y {
                    let my = (sourceBox.lower.y + y) / f - origin.y
                    let row = (z * ls.y + y) * ls.x
                    let mrow = (mz * points.y + my) * points.x - origin.x
                    if f == 1 {
                        for x in 0..<ls.x where l[row + x] == classID {
                            m[mrow + sourceBox.lower.x + x] = 1
                        }
                    } else {
                        for x in 0..<ls.x where l[row + x] == classID {
                            m[mrow + (sourceBox.lower.x + x) / f] = 1
                        }
                    }
                }
            }
            for i in 0..<count { ones &+= Int(m[i]) }
        }
        return ones > 0 && ones < count
    }
}
