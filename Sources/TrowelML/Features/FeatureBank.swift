import Foundation
import TrowelVolume

/// Computes the features a `FeatureSpec` describes, for a whole block, for a region of a block read
/// with a halo of context (so blockwise features equal whole-volume features exactly), or sparsely
/// at a list of voxels. Matches scikit-image's `multiscale_basic_features` within float rounding.
public struct FeatureBank: Sendable {
    public let spec: FeatureSpec
    /// The scan slice of a block's first slice, for per-slice normalisation windows (0 otherwise irrelevant).
    public private(set) var firstSlice = 0

    /// A bank for `spec`; throws `FeatureSpecError` if it cannot be computed.
    public init(spec: FeatureSpec) throws {
        try spec.validate()
        self.spec = spec
    }

    /// Features per voxel.
    public var featureCount: Int { spec.featureCount }

    /// This bank for blocks whose first slice is scan slice `z` (matters only with per-slice windows).
    public func startingAt(slice z: Int) -> FeatureBank {
        var bank = self
        bank.firstSlice = z
        return bank
    }

    /// Voxels of context needed on each side of a region (only along the filtered axes).
    public var halo: Int { spec.halo }

    private var volumetric: Bool { spec.dimensionality == .volumetric }

    /// The box to read around `box` so its features come out exact: grown by the halo along the
    /// filtered axes (z too only for 3D features), clipped to `bounds` (the volume).
    public func contextBox(for box: Box, within bounds: Box) -> Box {
        let h = halo
        let grow = Index3(z: volumetric ? h : 0, y: h, x: h)
        return Box(lower: box.lower - grow, upper: box.upper + grow).intersection(bounds)
    }

    /// Features of every voxel of `block`; its faces are treated as the faces of the volume.
    public func features(of block: AnyBlock) -> FeatureImage {
        features(of: block, in: block.shape.box)
    }

    /// Features of the voxels of `region` (relative to `block`), using the rest of `block` as context.
    /// With `block` read over `contextBox(for:within:)`, the result equals the whole-volume features.
    public func features(of block: AnyBlock, in region: Box) -> FeatureImage {
        precondition(block.shape.box.contains(region), "FeatureBank: region \(region) outside block \(block.shape)")
        return compute(normalisedBuffer(block), shape: block.shape, region: region)
    }

    /// Features of the voxels at `voxels` (positions in `block`), as rows of `featureCount` values.
    /// Only tiles around the voxels are filtered (each with its halo), not the whole block, so a few
    /// brush strokes cost a few tiles; values equal those of `features(of: block)` exactly.
    public func features(at voxels: [Index3], of block: AnyBlock) -> [Float] {
        let shape = block.shape
        let f = featureCount
        var out = [Float](repeating: 0, count: voxels.count * f)
        if voxels.isEmpty { return out }
        for v in voxels {
            precondition(shape.box.contains(v), "FeatureBank: voxel \(v) outside block \(shape)")
        }
        let tile = volumetric ? 64 : 256
        let tileZ = volumetric ? tile : 1
        // Group voxels by tile.
        var groups: [Index3: [Int]] = [:]
        for (i, v) in voxels.enumerated() {
            groups[Index3(z: v.z / tileZ, y: v.y / tile, x: v.x / tile), default: []].append(i)
        }
        var jobs: [(context: Box, region: Box, members: [Int])] = []
        var tiledCost = 0
        for (key, members) in groups {
            let origin = Index3(z: key.z * tileZ, y: key.y * tile, x: key.x * tile)
            let region = Box(origin: origin, shape: Shape(z: tileZ, y: tile, x: tile)).intersection(shape.box)
            let context = contextBox(for: region, within: shape.box)
            tiledCost += context.shape.voxelCount
            jobs.append((context, region, members))
        }
        // When tiles with halos would filter more than the bounding box of all voxels, filter that instead.
        var lower = voxels[0], upper = voxels[0]
        for v in voxels {
            lower = lower.clamped(below: v)
            upper = upper.clamped(above: v)
        }
        let bounding = Box(lower: lower, upper: upper + Index3(z: 1, y: 1, x: 1))
        let boundingContext = contextBox(for: bounding, within: shape.box)
        if boundingContext.shape.voxelCount <= tiledCost {
            jobs = [(boundingContext, bounding, Array(voxels.indices))]
        }
        let normalisedInput = normalised(block)
        for job in jobs {
            let context = job.context
            let piece = normalisedInput.cropped(to: context)
            let region = job.region.translated(by: Index3.zero - context.lower)
            let image = compute(FloatBuffer(piece.elements), shape: context.shape, region: region)
            let rs = region.shape
            for i in job.members {
                let p = voxels[i] - job.region.lower
                let o = rs.offset(z: p.z, y: p.y, x: p.x)
                for k in 0..<f { out[i * f + k] = image.values[o * f + k] }
            }
        }
        return out
    }

    /// `block` as floats scaled by the spec's normalisation (scikit-image's `img_as_float` by default).
    public func normalised(_ block: AnyBlock) -> Block<Float> {
        Block(shape: block.shape, elements: normalisedBuffer(block).array)
    }

    /// `normalised(block)` straight into a buffer (no intermediate array), converted in parallel.
    /// With per-slice windows, slice z of the block uses the window of scan slice `firstSlice + z`.
    func normalisedBuffer(_ block: AnyBlock) -> FloatBuffer {
        let normalization = spec.normalization
        let out = FloatBuffer(count: block.shape.voxelCount)
        if normalization.isPerSlice {
            let plane = block.shape.y * block.shape.x
            for z in 0..<block.shape.z {
                let (scale, offset) = normalization.affine(for: block.dtype, slice: firstSlice + z)
                Self.convert(block, range: (z * plane)..<((z + 1) * plane), scale: scale, offset: offset,
                             clips: normalization.clips, into: out)
            }
        } else {
            let (scale, offset) = normalization.affine(for: block.dtype)
            Self.convert(block, range: 0..<block.shape.voxelCount, scale: scale, offset: offset,
                         clips: normalization.clips, into: out)
        }
        return out
    }

    /// Voxels `range` of `block` × `scale` + `offset` (clipped to 0…1 if `clips`) into `out`, in parallel.
    private static func convert(_ block: AnyBlock, range: Range<Int>, scale: Double, offset: Double, clips: Bool,
                                into out: FloatBuffer) {
        let dst = out.shared
        func convert<T: VoxelScalar>(_ b: Block<T>) {
            b.elements.withUnsafeBufferPointer { buffer in
                let src = SharedReadPointer(buffer.baseAddress ?? UnsafePointer(bitPattern: 1)!)
                let s = Float(scale), o = Float(offset), identity = scale == 1 && offset == 0
                Parallel.forEachRange(range.count, minimumChunk: 1 << 16) { local in
                    let r = (range.lowerBound + local.lowerBound)..<(range.lowerBound + local.upperBound)
                    if clips {
                        for i in r { dst[i] = min(1, max(0, Float(src[i].doubleValue) * s + o)) }
                    } else if identity {
                        for i in r { dst[i] = Float(src[i].doubleValue) }
                    } else {
                        for i in r { dst[i] = Float(src[i].doubleValue) * s + o }
                    }
                }
            }
        }
        switch block {
        case .u8(let b):
            // A table avoids a conversion per voxel.
            let table = (0...255).map { v -> Float in
                let y = Float(Double(v) * scale + offset)
                return clips ? min(1, max(0, y)) : y
            }
            b.elements.withUnsafeBufferPointer { buffer in
                table.withUnsafeBufferPointer { t in
                    let src = SharedReadPointer(buffer.baseAddress ?? UnsafePointer(bitPattern: 1)!)
                    let lookup = SharedReadPointer(t.baseAddress!)
                    Parallel.forEachRange(range.count, minimumChunk: 1 << 16) { local in
                        for i in (range.lowerBound + local.lowerBound)..<(range.lowerBound + local.upperBound) {
                            dst[i] = lookup[Int(src[i])]
                        }
                    }
                }
            }
        case .u16(let b): convert(b)
        case .i16(let b): convert(b)
        case .u32(let b): convert(b)
        case .i32(let b): convert(b)
        case .f32(let b): convert(b)
        case .f64(let b): convert(b)
        }
    }

    /// Peak bytes `RandomForest.probabilities(of:in:)` holds for a region of shape `region` read with
    /// context `context`: the normalised input, the smoothed volumes over the region plus the
    /// stencils' reach, the largest Gaussian's pass buffers, and the class probabilities (not the
    /// block as read, which the caller holds).
    public func predictionBytes(region: Shape, context: Shape, classes: Int) -> Int {
        var kept = context
        if let reach = stencilReach {
            kept = Shape(z: min(context.z, region.z + (volumetric ? 2 * reach : 0)),
                         y: min(context.y, region.y + 2 * reach), x: min(context.x, region.x + 2 * reach))
        }
        let r = FeatureSpec.kernelRadius(spec.sigmas.max() ?? 0)
        let wideY = min(context.y, kept.y + 2 * r), wideX = min(context.x, kept.x + 2 * r)
        let passes = (volumetric ? kept.z * wideY * wideX : 0) + kept.z * kept.y * wideX
        let floats = context.voxelCount + kept.voxelCount * (volumesPerScale * spec.sigmas.count + (spec.includesRaw ? 1 : 0))
            + passes
            + region.voxelCount * classes
        return floats * 4
    }

    // MARK: - Computation

    /// Smoothed volumes of one scale, computed once and read by the per-row stage. They cover
    /// `Scales.kept`, not the whole input block.
    struct Scale {
        let index: Int
        let smoothed: FloatBuffer
        let differenceOfGaussians: FloatBuffer?
        let tensorEigenvalues: [FloatBuffer]
    }

    /// The smoothed volumes of some scales for one region, from which `derive` computes features
    /// row by row.
    struct Scales {
        let scales: [Scale]
        /// The normalised input over `kept`, when the raw feature is among those prepared.
        let raw: FloatBuffer?
        /// The box of the input block the volumes cover: the region plus the stencils' reach.
        let kept: Box
        /// The region, relative to `kept`.
        let region: Box
    }

    /// Voxels of smoothed context the derived features read around a region: the Hessian's two
    /// difference stencils; the structure tensor smooths gradient products again, so it keeps all.
    private var stencilReach: Int? {
        spec.filters.contains(.structureTensorEigenvalues) ? nil : 2
    }

    /// The box of `shape` whose smoothed values the features of `region` read.
    func keptBox(for region: Box, shape: Shape) -> Box {
        guard let reach = stencilReach else { return shape.box }
        let grow = Index3(z: volumetric ? reach : 0, y: reach, x: reach)
        return Box(lower: region.lower - grow, upper: region.upper + grow).intersection(shape.box)
    }

    /// Smoothed volumes kept per scale: the Gaussian, the DoG, and the structure tensor's
    /// eigenvalues (counted with its gradient products, which live as long).
    private var volumesPerScale: Int {
        let dims = spec.dimensionality.count
        return 1 + (spec.filters.contains(.differenceOfGaussians) ? 1 : 0)
            + (spec.filters.contains(.structureTensorEigenvalues) ? 3 * dims : 0)
    }

    /// Scales per pass, so that their volumes stay under 512 MB.
    private func scaleBatch(kept: Shape) -> Int {
        max(1, (512 << 20) / max(1, kept.voxelCount * 4 * volumesPerScale))
    }

    /// Stage 1 for the scales `indices`: smoothed volumes over the part of `input` that `region` needs.
    /// The raw feature (if the spec has it) comes with the batch that starts at scale 0.
    func prepare(_ input: FloatBuffer, shape: Shape, region: Box, scales indices: Range<Int>) -> Scales {
        let kept = keptBox(for: region, shape: shape)
        let scales = indices.map { smooth(input, shape: shape, kept: kept, scale: $0) }
        let raw = spec.includesRaw && indices.lowerBound == 0 ? Self.crop(input, shape: shape, to: kept) : nil
        return Scales(scales: scales, raw: raw, kept: kept, region: region.translated(by: .zero - kept.lower))
    }

    /// The part `box` of `source` (laid out as `shape`), copied row by row.
    static func crop(_ source: FloatBuffer, shape: Shape, to box: Box) -> FloatBuffer {
        if box == shape.box { return source }
        let out = FloatBuffer(count: box.shape.voxelCount)
        let src = source.sharedReadable, dst = out.shared
        let bs = box.shape
        Parallel.forEachRange(bs.z * bs.y, minimumChunk: 16) { rows in
            for r in rows {
                let z = box.lower.z + r / bs.y, y = box.lower.y + r % bs.y
                (dst + r * bs.x).update(from: src.base + (z * shape.y + y) * shape.x + box.lower.x, count: bs.x)
            }
        }
        return out
    }

    /// Stage 1 for every scale of `block` (the fused prediction path needs all features of a row at once).
    func prepare(_ block: AnyBlock, region: Box) -> Scales {
        prepare(normalisedBuffer(block), shape: block.shape, region: region, scales: spec.sigmas.indices)
    }

    /// Features of `region` of the normalised `input`.
    func compute(_ source: FloatBuffer, shape: Shape, region: Box) -> FeatureImage {
        let f = featureCount
        var values = [Float](repeating: 0, count: region.shape.voxelCount * f)
        // Keep all scales' volumes at once when they fit in 512 MB (one pass writes each voxel's
        // features together); otherwise go a few scales at a time.
        let batch = scaleBatch(kept: keptBox(for: region, shape: shape).shape)
        let rows = region.shape.z * region.shape.y
        values.withUnsafeMutableBufferPointer { out in
            let outPointer = SharedPointer(out)
            var start = 0
            while start < spec.sigmas.count {
                let end = min(spec.sigmas.count, start + batch)
                let scales = prepare(source, shape: shape, region: region, scales: start..<end)
                Parallel.forEachRange(rows, minimumChunk: 2) { rowRange in
                    derive(scales, rows: rowRange, into: outPointer + rowRange.lowerBound * region.shape.x * f)
                }
                start = end
            }
        }
        return FeatureImage(shape: region.shape, featureCount: f, values: values)
    }

    /// Stage 1 for one scale: the Gaussian-smoothed volume and the volumes of DoG and structure
    /// tensor, over `kept`.
    private func smooth(_ source: FloatBuffer, shape: Shape, kept: Box, scale index: Int) -> Scale {
        let sigma = spec.sigmas[index]
        let filters = spec.filters(atScale: index)
        let g = GaussianFilter(sigma: sigma).apply(to: source, shape: shape, volumetric: volumetric, keep: kept)
        var dog: FloatBuffer?
        if filters.contains(.differenceOfGaussians) {
            let inner = GaussianFilter(sigma: 0.66 * sigma).apply(to: source, shape: shape, volumetric: volumetric, keep: kept)
            let d = FloatBuffer(count: kept.shape.voxelCount)
            let gp = g.sharedReadable, ip = inner.sharedReadable, dp = d.shared
            Parallel.forEachRange(kept.shape.voxelCount, minimumChunk: 1 << 14) { r in
                for i in r { dp[i] = gp[i] - ip[i] }
            }
            dog = d
        }
        var tensor: [FloatBuffer] = []
        if filters.contains(.structureTensorEigenvalues) {
            tensor = structureTensorEigenvalues(of: g, shape: kept.shape, sigma: sigma)
        }
        return Scale(index: index, smoothed: g, differenceOfGaussians: dog, tensorEigenvalues: tensor)
    }

    /// Eigenvalues (largest first) of the structure tensor: products of the numpy gradients of the
    /// smoothed volume, each smoothed at 0.5σ (ilastik's outer scale).
    private func structureTensorEigenvalues(of g: FloatBuffer, shape: Shape, sigma: Double) -> [FloatBuffer] {
        let axes = volumetric ? [0, 1, 2] : [1, 2]
        let n = axes.count
        let stencils = RowStencils(shape: shape)
        let gradients = axes.map { _ in FloatBuffer(count: shape.voxelCount) }
        let gp = g.sharedReadable
        let rows = shape.z * shape.y
        let gradientPointers = gradients.map(\.shared)
        Parallel.forEachRange(rows, minimumChunk: 4) { range in
            for r in range {
                let z = r / shape.y, y = r % shape.y
                for (k, axis) in axes.enumerated() {
                    stencils.derivative(axis, gp.base, z, y, gradientPointers[k] + r * shape.x, 0..<shape.x)
                }
            }
        }
        var pairs: [(Int, Int)] = []
        for i in 0..<n { for j in i..<n { pairs.append((i, j)) } }
        let outer = GaussianFilter(sigma: 0.5 * sigma)
        let products: [FloatBuffer] = pairs.map { (i, j) in
            let p = FloatBuffer(count: shape.voxelCount)
            let a = gradients[i].sharedReadable, b = gradients[j].sharedReadable, d = p.shared
            Parallel.forEachRange(shape.voxelCount, minimumChunk: 1 << 14) { r in
                for v in r { d[v] = a[v] * b[v] }
            }
            return outer.apply(to: p, shape: shape, volumetric: volumetric)
        }
        let eigen = (0..<n).map { _ in FloatBuffer(count: shape.voxelCount) }
        let m = products.map(\.sharedReadable)
        let e = eigen.map(\.shared)
        Parallel.forEachRange(shape.voxelCount, minimumChunk: 1 << 14) { r in
            if n == 2 {
                for v in r {
                    let (l0, l1) = SymmetricEigenvalues.of2(m[0][v], m[1][v], m[2][v])
                    e[0][v] = l0
                    e[1][v] = l1
                }
            } else {
                for v in r {
                    let (l0, l1, l2) = SymmetricEigenvalues.of3(m[0][v], m[1][v], m[2][v], m[3][v], m[4][v], m[5][v])
                    e[0][v] = l0
                    e[1][v] = l1
                    e[2][v] = l2
                }
            }
        }
        return eigen
    }

    /// Stage 2: every feature of the prepared scales for rows `rows` of the region (rows in (z, y)
    /// order), written voxel-major from `out` on (`rows.count × region width × featureCount` values;
    /// features of scales not prepared are left alone). Single-threaded; callers split rows.
    func derive(_ prepared: Scales, rows rowRange: Range<Int>, into out: UnsafeMutablePointer<Float>) {
        let f = featureCount
        let filtersOf = prepared.scales.map { spec.filters(atScale: $0.index) }
        let firstOf = prepared.scales.map { spec.firstFeature(ofScale: $0.index) }
        let volumetric = self.volumetric
        let shape = prepared.kept.shape
        let region = prepared.region
        let stencils = RowStencils(shape: shape)
        let rs = region.shape
        let x0 = region.lower.x, x1 = region.upper.x
        let xs = x0..<x1
        let nx = shape.x
        let first = rowRange.lowerBound
        withExtendedLifetime(prepared) {
            // Scratch rows indexed by x: 3 for stencils, 6 Hessian elements, 1 result.
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: 10 * nx)
            scratch.initialize(repeating: 0, count: 10 * nx)
            defer { scratch.deallocate() }
            let t1 = scratch, t2 = scratch + nx, t3 = scratch + 2 * nx
            let h = (0..<6).map { scratch + (3 + $0) * nx }
            let res = scratch + 9 * nx
            for r in rowRange {
                let z = region.lower.z + r / rs.y, y = region.lower.y + r % rs.y
                let outRow = out + ((r - first) * rs.x * f - x0 * f)   // indexed by x in `kept`
                @inline(__always) func emit(_ values: UnsafePointer<Float>, _ feature: Int) {
                    let o = outRow + feature
                    for x in xs { o[x * f] = values[x] }
                }
                if let raw = prepared.raw { emit(stencils.row(raw.pointer, z, y), 0) }
                for (n, s) in prepared.scales.enumerated() {
                    var feature = firstOf[n]
                    let g = UnsafePointer(s.smoothed.pointer)
                    var hessianReady = false
                    func hessian() {
                        if hessianReady { return }
                        hessianReady = true
                        if volumetric {
                            // zz, zy, zx, yy, yx, xx
                            var k = 0
                            for a in 0..<3 {
                                for b in a..<3 {
                                    stencils.hessian(a, b, g, z, y, h[k], xs, t1, t2)
                                    k += 1
                                }
                            }
                        } else {
                            stencils.hessian(1, 1, g, z, y, h[0], xs, t1, t2)
                            stencils.hessian(1, 2, g, z, y, h[1], xs, t1, t2)
                            stencils.hessian(2, 2, g, z, y, h[2], xs, t1, t2)
                        }
                    }
                    for filter in filtersOf[n] {
                        switch filter {
                        case .intensity:
                            emit(stencils.row(g, z, y), feature)
                            feature += 1
                        case .edges:
                            stencils.sobel(g, z, y, volumetric: volumetric, res, xs, t1, t2, t3)
                            emit(res, feature)
                            feature += 1
                        case .hessianEigenvalues:
                            hessian()
                            let o = outRow + feature
                            if volumetric {
                                for x in xs {
                                    let (l0, l1, l2) = SymmetricEigenvalues.of3(h[0][x], h[1][x], h[2][x], h[3][x], h[4][x], h[5][x])
                                    o[x * f] = l0
                                    o[x * f + 1] = l1
                                    o[x * f + 2] = l2
                                }
                                feature += 3
                            } else {
                                for x in xs {
                                    let (l0, l1) = SymmetricEigenvalues.of2(h[0][x], h[1][x], h[2][x])
                                    o[x * f] = l0
                                    o[x * f + 1] = l1
                                }
                                feature += 2
                            }
                        case .laplacianOfGaussian:
                            hessian()
                            if volumetric {
                                for x in xs { res[x] = h[0][x] + h[3][x] + h[5][x] }
                            } else {
                                for x in xs { res[x] = h[0][x] + h[2][x] }
                            }
                            emit(res, feature)
                            feature += 1
                        case .differenceOfGaussians:
                            if let d = s.differenceOfGaussians { emit(stencils.row(d.pointer, z, y), feature) }
                            feature += 1
                        case .structureTensorEigenvalues:
                            for e in s.tensorEigenvalues {
                                emit(stencils.row(e.pointer, z, y), feature)
                                feature += 1
                            }
                        }
                    }
                }
            }
        }
    }
}
