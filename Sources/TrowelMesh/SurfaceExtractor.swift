import TrowelVolume

/// Blockwise marching tetrahedra on the mask `label == class id`, as a level set at 0.5 with a
/// zero border, so the surface is closed even where the object touches the edge of the scan.
///
/// Blocks of cubes read their corner voxels with a one-voxel overlap, so each cube is processed
/// exactly once; a vertex is named by its grid edge (lower grid point × 8 + direction), and edges
/// in a block's boundary planes are looked up in one global map, so seam vertices are shared and
/// the mesh is one welded surface. Memory is one block plus the mesh.
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

    /// The surface of voxels equal to `classID` in `source`, in micrometres.
    /// `progress(done, total)` is called after each block; `isCancelled` is polled between blocks.
    public func surface(
        of classID: UInt8, in source: LabelSource,
        progress: (Int, Int) -> Void = { _, _ in }, isCancelled: () -> Bool = { false }
    ) throws(MeshError) -> TriangleMesh {
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
        var mesh = TriangleMesh()
        var seam: [Int: UInt32] = [:]
        let side = blockSide + 1
        var mask = [UInt8](repeating: 0, count: side * side * side)
        var slots = [Int32](repeating: -1, count: side * side * side * 8)
        var done = 0
        let pointStride = (y: grid.x + 2, z: (grid.x + 2) * (grid.y + 2))
        for z0 in starts.z {
            for y0 in starts.y {
                for x0 in starts.x {
                    if isCancelled() { throw .cancelled }
                    let cubes = (z: min(blockSide, grid.z - z0), y: min(blockSide, grid.y - y0), x: min(blockSide, grid.x - x0))
                    let points = Shape(z: cubes.z + 1, y: cubes.y + 1, x: cubes.x + 1)
                    let origin = Index3(z: z0, y: y0, x: x0)
                    let found = try fillMask(&mask, points: points, origin: origin, grid: grid, classID: classID, source: source)
                    done += 1
                    if !found { progress(done, total); continue }
                    let sx = points.x, sxy = points.x * points.y
                    var cornerOffset = [Int](repeating: 0, count: 8)
                    for c in 0..<8 {
                        let o = TetrahedraTable.offset(ofCorner: c)
                        cornerOffset[c] = o.z * sxy + o.y * sx + o.x
                    }
                    let used = points.voxelCount * 8
                    slots.withUnsafeMutableBufferPointer { $0.baseAddress!.update(repeating: -1, count: used) }
                    mask.withUnsafeBufferPointer { m in
                        slots.withUnsafeMutableBufferPointer { slot in
                            for z in 0..<cubes.z {
                                for y in 0..<cubes.y {
                                    for x in 0..<cubes.x {
                                        let base = z * sxy + y * sx + x
                                        var k = 0
                                        for c in 0..<8 where m[base + cornerOffset[c]] != 0 { k |= 1 << c }
                                        if k == 0 || k == 255 { continue }
                                        var t = Int(table.caseStart[k])
                                        let end = Int(table.caseStart[k + 1])
                                        while t < end {
                                            var triangle = SIMD3<UInt32>(0, 0, 0)
                                            for v in 0..<3 {
                                                let e = Int(table.triangleEdges[3 * t + v])
                                                let a = TetrahedraTable.offset(ofCorner: Int(table.edgeLower[e]))
                                                let d = Int(table.edgeDirection[e])
                                                let (pz, py, px) = (z + a.z, y + a.y, x + a.x)
                                                let s = (pz * sxy + py * sx + px) * 8 + d
                                                if slot[s] < 0 {
                                                    let gz = z0 + pz, gy = y0 + py, gx = x0 + px
                                                    let onSeam = (d & 1 == 0 && (px == 0 || px == cubes.x))
                                                        || (d & 2 == 0 && (py == 0 || py == cubes.y))
                                                        || (d & 4 == 0 && (pz == 0 || pz == cubes.z))
                                                    let key = (((gz + 1) * pointStride.z + (gy + 1) * pointStride.y + (gx + 1)) << 3) | d
                                                    if onSeam, let known = seam[key] {
                                                        slot[s] = Int32(bitPattern: known)
                                                    } else {
                                                        let index = UInt32(mesh.positions.count)
                                                        let p = SIMD3<Double>(
                                                            Double(gx) + 0.5 + 0.5 * Double(d & 1),
                                                            Double(gy) + 0.5 + 0.5 * Double(d >> 1 & 1),
                                                            Double(gz) + 0.5 + 0.5 * Double(d >> 2 & 1))
                                                        mesh.positions.append(SIMD3<Float>(p * spacing))
                                                        if onSeam { seam[key] = index }
                                                        slot[s] = Int32(bitPattern: index)
                                                    }
                                                }
                                                triangle[v] = UInt32(bitPattern: slot[s])
                                            }
                                            mesh.triangles.append(triangle)
                                            t += 1
                                        }
                                    }
                                }
                            }
                        }
                    }
                    progress(done, total)
                }
            }
        }
        return mesh
    }

    /// Fills `mask` (points.z × points.y × points.x, grid coordinates from `origin`) with 1 where the
    /// (downsampled) label equals `classID`, 0 elsewhere and outside the volume. Returns whether the
    /// block holds both values (else it has no surface).
    private func fillMask(_ mask: inout [UInt8], points: Shape, origin: Index3, grid: Shape, classID: UInt8,
                          source: LabelSource) throws(MeshError) -> Bool {
        let count = points.voxelCount
        mask.withUnsafeMutableBufferPointer { $0.baseAddress!.update(repeating: 0, count: count) }
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
            mask.withUnsafeMutableBufferPointer { m in
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
        }
        return ones > 0 && ones < count
    }
}
