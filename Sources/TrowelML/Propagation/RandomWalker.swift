import Foundation
import TrowelVolume

/// Grady's seeded random walker (Random walks for image segmentation, IEEE TPAMI 2006) on the
/// 6-neighbour grid of a volume, as scikit-image's `segmentation.random_walker` computes it:
///
/// - edge weight `w = exp(-beta / (10 · std(data)) · (Δintensity / spacing)²) + 1e-10` between
///   face neighbours (skimage's `_compute_weights_3d`, `std` over the whole grid);
/// - Laplacian `L_ii = Σ_j w_ij` (all neighbours, seeds included), `L_ij = -w_ij`;
/// - for each class k the unseeded voxels' probabilities solve `L_UU x = Σ_{seed j of k} w_ij`,
///   by conjugate gradients with a Jacobi preconditioner (skimage's mode `'cg_j'`), stopping when
///   `‖r‖₂ ≤ tolerance · ‖b‖₂` as scipy's `cg(rtol=tol, atol=0)` does.
///
/// Matrix-free: the Laplacian is applied on the grid from three edge-weight arrays; no sparse
/// matrix is stored. Memory is about 8 floats of scratch per voxel plus the output probabilities
/// (one float per voxel per class). Classes 1…K-1 are solved; class K is `1 − Σ` the others, which
/// the exact solution satisfies (the probabilities of all classes sum to one).
public enum RandomWalker {
    /// How conjugate gradients start.
    public enum InitialGuess: String, Sendable, Codable {
        /// From zero, as scipy does.
        case zero
        /// Each (y, x) column linearly interpolated along z between its seeds (nearest seed beyond
        /// them): for labels on whole slices this is already close, so far fewer iterations are
        /// needed. The converged solution is the same.
        case alongZ = "along-z"
    }

    public struct Parameters: Sendable, Equatable {
        /// skimage's beta: larger values make edges across intensity changes weaker.
        public var beta: Double
        /// Relative residual at which conjugate gradients stop.
        public var tolerance: Double
        /// Iteration cap per class (nil: 10 × unknowns, scipy's default).
        public var maxIterations: Int?
        /// Voxel spacing z, y, x: intensity differences are divided by it.
        public var spacing: [Double]
        public var initialGuess: InitialGuess

        public init(beta: Double = 130, tolerance: Double = 1e-3, maxIterations: Int? = nil,
                    spacing: [Double] = [1, 1, 1], initialGuess: InitialGuess = .alongZ) {
            self.beta = beta
            self.tolerance = tolerance
            self.maxIterations = maxIterations
            self.spacing = spacing
            self.initialGuess = initialGuess
        }
    }

    /// The probabilities of every class at every voxel (seeds: 1 for their class, 0 otherwise).
    public struct Solution: Sendable {
        public let shape: Shape
        /// `probabilities[k][i]`: probability that a walker from voxel i first reaches a seed of class k + 1.
        public var probabilities: [[Float]]
        /// Voxels solved for (not seeds).
        public let unknowns: Int
        /// Conjugate-gradient iterations per solved class.
        public let iterations: [Int]
        /// Final relative residual per solved class.
        public let residuals: [Double]
        /// True when every class reached the tolerance.
        public let converged: Bool

        public var classCount: Int { probabilities.count }

        public init(shape: Shape, probabilities: [[Float]], unknowns: Int, iterations: [Int], residuals: [Double], converged: Bool) {
            self.shape = shape
            self.probabilities = probabilities
            self.unknowns = unknowns
            self.iterations = iterations
            self.residuals = residuals
            self.converged = converged
        }

        /// The most probable class (1…K) at voxel i.
        @inlinable public func mostProbable(at i: Int) -> UInt8 {
            var best = 0
            var p = probabilities[0][i]
            for k in 1..<probabilities.count where probabilities[k][i] > p {
                p = probabilities[k][i]
                best = k
            }
            return UInt8(best + 1)
        }

        /// The most probable class (1…K) at every voxel, as skimage's `random_walker` returns.
        public func labels() -> [UInt8] {
            (0..<shape.voxelCount).map { mostProbable(at: $0) }
        }
    }

    /// Solves for the probabilities of `classCount` classes. `intensities` (one per voxel of
    /// `shape`, z-major) should be normalised (e.g. to 0…1); `seeds[i]` is 0 for unknown voxels,
    /// else the class 1…`classCount`. `shouldStop` is polled once per iteration.
    public static func solve(intensities: [Float], seeds: [UInt8], shape: Shape, classCount: Int,
                             parameters: Parameters = Parameters(),
                             shouldStop: () -> Bool = { false }) throws(RandomWalkerError) -> Solution {
        let n = shape.voxelCount
        guard intensities.count == n, seeds.count == n else {
            throw .shapeMismatch(intensities: intensities.count, seeds: seeds.count, voxels: n)
        }
        guard classCount >= 2 else { throw .tooFewClasses(classCount) }
        guard parameters.beta >= 0, parameters.beta.isFinite else { throw .badParameter("beta \(parameters.beta)") }
        guard parameters.tolerance > 0, parameters.tolerance < 1 else { throw .badParameter("tolerance \(parameters.tolerance)") }
        guard parameters.spacing.count == 3, parameters.spacing.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw .badParameter("spacing \(parameters.spacing)")
        }
        var present = [Bool](repeating: false, count: classCount + 1)
        var unknowns = 0
        for s in seeds {
            if s == 0 { unknowns += 1; continue }
            guard Int(s) <= classCount else { throw .seedOutOfRange(s, classes: classCount) }
            present[Int(s)] = true
        }
        guard unknowns < n else { throw .noSeeds }

        let grid = Grid(shape: shape)
        let system = intensities.withUnsafeBufferPointer { data in
            seeds.withUnsafeBufferPointer { s in
                System(grid: grid, data: data.baseAddress!, seeds: s.baseAddress!, parameters: parameters)
            }
        }
        var probabilities: [[Float]] = []
        var iterations: [Int] = []
        var residuals: [Double] = []
        var converged = true
        let cap = parameters.maxIterations ?? max(1, 10 * unknowns)
        for k in 1..<classCount {
            var x = [Float](repeating: 0, count: n)
            if present[k] && unknowns > 0 {
                let (it, res, ok) = seeds.withUnsafeBufferPointer { s in
                    x.withUnsafeMutableBufferPointer { xb in
                        system.solve(classID: UInt8(k), seeds: s.baseAddress!, x: xb.baseAddress!,
                                     tolerance: parameters.tolerance, maxIterations: cap,
                                     initialGuess: parameters.initialGuess, shouldStop: shouldStop)
                    }
                }
                iterations.append(it)
                residuals.append(res)
                converged = converged && ok
            } else {
                iterations.append(0)
                residuals.append(0)
            }
            for i in 0..<n where seeds[i] != 0 { x[i] = seeds[i] == UInt8(k) ? 1 : 0 }
            probabilities.append(x)
        }
        // The last class: one minus the others (exact for the exact solution).
        var last = [Float](repeating: 1, count: n)
        for p in probabilities {
            for i in 0..<n { last[i] -= p[i] }
        }
        for i in 0..<n {
            if seeds[i] != 0 { last[i] = seeds[i] == UInt8(classCount) ? 1 : 0 } else { last[i] = max(0, last[i]) }
        }
        probabilities.append(last)
        return Solution(shape: shape, probabilities: probabilities, unknowns: unknowns, iterations: iterations,
                        residuals: residuals, converged: converged)
    }

    /// Bytes of memory `solve` needs for a grid of `voxels` and `classCount` classes: inputs, the
    /// weights, diagonal and CG vectors, and the output probabilities.
    public static func estimatedBytes(voxels: Int, classCount: Int) -> Int {
        voxels * (4 + 1 + 8 * 4 + classCount * 4)
    }
}

/// Errors of the random walker: one line each.
public enum RandomWalkerError: Error, Equatable, CustomStringConvertible {
    case shapeMismatch(intensities: Int, seeds: Int, voxels: Int)
    case tooFewClasses(Int)
    case seedOutOfRange(UInt8, classes: Int)
    case noSeeds
    case badParameter(String)

    public var description: String {
        switch self {
        case .shapeMismatch(let i, let s, let n): return "random walker: \(i) intensities and \(s) seeds for \(n) voxels"
        case .tooFewClasses(let k): return "random walker: needs at least two classes, got \(k)"
        case .seedOutOfRange(let s, let k): return "random walker: seed value \(s) but only \(k) classes"
        case .noSeeds: return "random walker: no seeds (every voxel is unlabelled)"
        case .badParameter(let p): return "random walker: invalid \(p)"
        }
    }
}

/// Row geometry of the grid: rows are (z, y) pairs of `x` voxels.
struct Grid: Sendable {
    let nz: Int, ny: Int, nx: Int
    var plane: Int { ny * nx }
    var rows: Int { nz * ny }
    var count: Int { nz * ny * nx }

    init(shape: Shape) {
        (nz, ny, nx) = (shape.z, shape.y, shape.x)
    }

    /// Row ranges for parallel passes: about 4 per core, at least 16 k voxels each.
    func chunks() -> [Range<Int>] {
        let wanted = max(1, min(rows, Parallel.coreCount * 4, max(1, count / 16_384)))
        let size = (rows + wanted - 1) / wanted
        return stride(from: 0, to: rows, by: size).map { $0..<min(rows, $0 + size) }
    }
}

/// The Laplacian of one grid, stored as edge weights towards +x, +y, +z (0 past the border), the
/// diagonal and its inverse (0 at seeds, so the preconditioned residual is 0 there).
final class System: @unchecked Sendable {
    let grid: Grid
    let wx: FloatBuffer, wy: FloatBuffer, wz: FloatBuffer
    let diagonal: FloatBuffer, inverseDiagonal: FloatBuffer
    let chunks: [Range<Int>]

    init(grid: Grid, data: UnsafePointer<Float>, seeds: UnsafePointer<UInt8>, parameters: RandomWalker.Parameters) {
        self.grid = grid
        let n = grid.count
        wx = FloatBuffer(count: n)
        wy = FloatBuffer(count: n)
        wz = FloatBuffer(count: n)
        diagonal = FloatBuffer(count: n)
        inverseDiagonal = FloatBuffer(count: n)
        chunks = grid.chunks()
        // skimage: scale = -beta / (10 · data.std()), std over every voxel (population std).
        var sum = 0.0, sum2 = 0.0
        for i in 0..<n {
            let v = Double(data[i])
            sum += v
            sum2 += v * v
        }
        let mean = sum / Double(max(1, n))
        let std = max(1e-12, (max(0, sum2 / Double(max(1, n)) - mean * mean)).squareRoot())
        let scale = Float(-parameters.beta / (10 * std))
        let sz = Float(1 / parameters.spacing[0]), sy = Float(1 / parameters.spacing[1]), sx = Float(1 / parameters.spacing[2])
        let eps: Float = 1e-10
        let d = SharedReadPointer(data)
        let (px, py, pz) = (wx.shared, wy.shared, wz.shared)
        let g = grid
        Parallel.forEach(chunks.count) { [chunks] c in
            for row in chunks[c] {
                let z = row / g.ny, y = row % g.ny
                let base = row * g.nx
                for x in 0..<g.nx {
                    let i = base + x
                    let v = d[i]
                    if x + 1 < g.nx {
                        let t = (d[i + 1] - v) * sx
                        px[i] = expf(scale * t * t) + eps
                    }
                    if y + 1 < g.ny {
                        let t = (d[i + g.nx] - v) * sy
                        py[i] = expf(scale * t * t) + eps
                    }
                    if z + 1 < g.nz {
                        let t = (d[i + g.plane] - v) * sz
                        pz[i] = expf(scale * t * t) + eps
                    }
                }
            }
        }
        let (dg, inv) = (diagonal.shared, inverseDiagonal.shared)
        let s = SharedReadPointer(seeds)
        Parallel.forEach(chunks.count) { [chunks] c in
            for row in chunks[c] {
                let z = row / g.ny, y = row % g.ny
                let base = row * g.nx
                for x in 0..<g.nx {
                    let i = base + x
                    var sum = px[i] + py[i] + pz[i]
                    if x > 0 { sum += px[i - 1] }
                    if y > 0 { sum += py[i - g.nx] }
                    if z > 0 { sum += pz[i - g.plane] }
                    dg[i] = sum
                    inv[i] = s[i] == 0 ? 1 / sum : 0
                }
            }
        }
    }

    /// `out = L_UU · p` on unknown voxels, 0 at seeds (p must be 0 at seeds); returns `p · out`.
    @discardableResult
    func apply(_ p: SharedReadPointer<Float>, into out: SharedPointer<Float>, seeds: SharedReadPointer<UInt8>) -> Double {
        let g = grid
        let (px, py, pz, dg) = (wx.sharedReadable, wy.sharedReadable, wz.sharedReadable, diagonal.sharedReadable)
        var partial = [Double](repeating: 0, count: chunks.count)
        partial.withUnsafeMutableBufferPointer { partialBuffer in
            let sums = SharedPointer(partialBuffer)
            Parallel.forEach(chunks.count) { [chunks] c in
                var dot = 0.0
                for row in chunks[c] {
                    let z = row / g.ny, y = row % g.ny
                    let base = row * g.nx
                    let o = out + base, pp = p + base, wxr = px + base, dr = dg + base
                    let nx = g.nx
                    for x in 0..<nx { o[x] = dr[x] * pp[x] }
                    if nx > 1 {
                        for x in 1..<nx { o[x] -= wxr[x - 1] * pp[x - 1] }
                        for x in 0..<(nx - 1) { o[x] -= wxr[x] * pp[x + 1] }
                    }
                    if y > 0 {
                        let q = p + (base - nx), w = py + (base - nx)
                        for x in 0..<nx { o[x] -= w[x] * q[x] }
                    }
                    if y + 1 < g.ny {
                        let q = p + (base + nx), w = py + base
                        for x in 0..<nx { o[x] -= w[x] * q[x] }
                    }
                    if z > 0 {
                        let q = p + (base - g.plane), w = pz + (base - g.plane)
                        for x in 0..<nx { o[x] -= w[x] * q[x] }
                    }
                    if z + 1 < g.nz {
                        let q = p + (base + g.plane), w = pz + base
                        for x in 0..<nx { o[x] -= w[x] * q[x] }
                    }
                    let s = seeds + base
                    var rowDot: Float = 0
                    for x in 0..<nx {
                        let v = s[x] == 0 ? o[x] : 0
                        o[x] = v
                        rowDot += v * pp[x]
                    }
                    dot += Double(rowDot)
                }
                sums[c] = dot
            }
        }
        return partial.reduce(0, +)
    }

    /// Preconditioned conjugate gradients for class `classID`; the solution goes to `x` (unknown
    /// voxels; seeds left 0). Returns iterations, final relative residual, whether it converged.
    func solve(classID: UInt8, seeds seedPointer: UnsafePointer<UInt8>, x xPointer: UnsafeMutablePointer<Float>,
               tolerance: Double, maxIterations: Int, initialGuess: RandomWalker.InitialGuess,
               shouldStop: () -> Bool) -> (Int, Double, Bool) {
        let g = grid
        let n = g.count
        let seeds = SharedReadPointer(seedPointer)
        let x = SharedPointer(xPointer)
        let b = FloatBuffer(count: n), r = FloatBuffer(count: n), p = FloatBuffer(count: n), q = FloatBuffer(count: n)
        let (bp, rp, pp, qp) = (b.shared, r.shared, p.shared, q.shared)
        let (px, py, pz, inv) = (wx.sharedReadable, wy.sharedReadable, wz.sharedReadable, inverseDiagonal.sharedReadable)
        // b_i = Σ over seed neighbours of class k of w_ij.
        Parallel.forEach(chunks.count) { [chunks] c in
            for row in chunks[c] {
                let z = row / g.ny, y = row % g.ny
                for xi in 0..<g.nx {
                    let i = row * g.nx + xi
                    guard seeds[i] == 0 else { continue }
                    var sum: Float = 0
                    if xi > 0, seeds[i - 1] == classID { sum += px[i - 1] }
                    if xi + 1 < g.nx, seeds[i + 1] == classID { sum += px[i] }
                    if y > 0, seeds[i - g.nx] == classID { sum += py[i - g.nx] }
                    if y + 1 < g.ny, seeds[i + g.nx] == classID { sum += py[i] }
                    if z > 0, seeds[i - g.plane] == classID { sum += pz[i - g.plane] }
                    if z + 1 < g.nz, seeds[i + g.plane] == classID { sum += pz[i] }
                    bp[i] = sum
                }
            }
        }
        let bNorm = dot(b.sharedReadable, b.sharedReadable).squareRoot()
        if bNorm == 0 { return (0, 0, true) }
        // r = b − A x0.
        if initialGuess == .alongZ {
            interpolateAlongZ(classID: classID, seeds: seeds, into: x)
            apply(SharedReadPointer(UnsafePointer(xPointer)), into: qp, seeds: seeds)
            forEachRange { range in for i in range { rp[i] = bp[i] - qp[i] } }
        } else {
            forEachRange { range in for i in range { rp[i] = bp[i] } }
        }
        // z = M⁻¹ r; p = z.
        var rz = 0.0
        var rr = 0.0
        (rr, rz) = reduce2 { range in
            var a: Float = 0, c: Float = 0
            for i in range {
                let zi = inv[i] * rp[i]
                pp[i] = zi
                a += rp[i] * rp[i]
                c += rp[i] * zi
            }
            return (Double(a), Double(c))
        }
        let target = tolerance * bNorm
        var iteration = 0
        while rr.squareRoot() > target && iteration < maxIterations && !shouldStop() {
            iteration += 1
            let pq = apply(p.sharedReadable, into: qp, seeds: seeds)
            guard pq > 0 else { break }
            let alpha = Float(rz / pq)
            (rr, _) = reduce2 { range in
                var a: Float = 0
                for i in range {
                    x[i] += alpha * pp[i]
                    let ri = rp[i] - alpha * qp[i]
                    rp[i] = ri
                    a += ri * ri
                }
                return (Double(a), 0)
            }
            if rr.squareRoot() <= target { break }
            let rzNew = reduceDot(rp, inv)
            let beta = Float(rzNew / rz)
            rz = rzNew
            forEachRange { range in for i in range { pp[i] = inv[i] * rp[i] + beta * pp[i] } }
        }
        let residual = rr.squareRoot() / bNorm
        return (iteration, residual, residual <= tolerance)
    }

    /// Each column's seeds of `classID` (1) and of other classes (0), interpolated linearly along z
    /// at the unknown voxels between them and held constant beyond; columns without seeds stay 0.
    private func interpolateAlongZ(classID: UInt8, seeds: SharedReadPointer<UInt8>, into x: SharedPointer<Float>) {
        let g = grid
        Parallel.forEachRange(g.plane, minimumChunk: 256) { columns in
            for column in columns {
                var previous = -1
                var previousValue: Float = 0
                for z in 0..<g.nz {
                    let i = z * g.plane + column
                    guard seeds[i] != 0 else { continue }
                    let value: Float = seeds[i] == classID ? 1 : 0
                    let from = previous < 0 ? 0 : previous + 1
                    for zz in from..<z {
                        let t = previous < 0 ? 1 : Float(zz - previous) / Float(z - previous)
                        x[zz * g.plane + column] = previous < 0 ? value : previousValue + (value - previousValue) * t
                    }
                    previous = z
                    previousValue = value
                }
                if previous >= 0 {
                    for zz in (previous + 1)..<max(previous + 1, g.nz) { x[zz * g.plane + column] = previousValue }
                }
            }
        }
    }

    // MARK: parallel reductions over the chunks (by voxel range).

    private func voxelRanges() -> [Range<Int>] { chunks.map { ($0.lowerBound * grid.nx)..<($0.upperBound * grid.nx) } }

    private func forEachRange(_ body: (Range<Int>) -> Void) {
        let ranges = voxelRanges()
        Parallel.forEach(ranges.count) { body(ranges[$0]) }
    }

    private func reduce2(_ body: (Range<Int>) -> (Double, Double)) -> (Double, Double) {
        let ranges = voxelRanges()
        var partial = [Double](repeating: 0, count: 2 * ranges.count)
        partial.withUnsafeMutableBufferPointer { buffer in
            let out = SharedPointer(buffer)
            Parallel.forEach(ranges.count) { c in
                // Rows of floats summed in blocks so single-precision sums stay accurate.
                var a = 0.0, b = 0.0
                var lo = ranges[c].lowerBound
                while lo < ranges[c].upperBound {
                    let hi = min(ranges[c].upperBound, lo + 1024)
                    let (u, v) = body(lo..<hi)
                    a += u
                    b += v
                    lo = hi
                }
                out[2 * c] = a
                out[2 * c + 1] = b
            }
        }
        var a = 0.0, b = 0.0
        for c in 0..<ranges.count {
            a += partial[2 * c]
            b += partial[2 * c + 1]
        }
        return (a, b)
    }

    private func reduceDot(_ r: SharedPointer<Float>, _ inv: SharedReadPointer<Float>) -> Double {
        reduce2 { range in
            var a: Float = 0
            for i in range { a += r[i] * r[i] * inv[i] }
            return (Double(a), 0)
        }.0
    }

    private func dot(_ a: SharedReadPointer<Float>, _ b: SharedReadPointer<Float>) -> Double {
        reduce2 { range in
            var s: Float = 0
            for i in range { s += a[i] * b[i] }
            return (Double(s), 0)
        }.0
    }
}
