import Dispatch
import Foundation

/// Generated CT scans of fossils that are hard to segment, with exact ground truth: one scan per
/// failure mode that ml4paleo's random forest is reported to meet on real data (low bone/matrix
/// contrast, phase-contrast fringes at edges and cracks, bright non-bone grains, drift along z,
/// ring artefacts, thin poorly mineralised bone in a specimen with a strong edge fringe).
///
/// The ideal scene (`HardFossilScene`) is blurred a little for the partial-volume effect, given
/// phase-contrast fringes (an unsharp-mask overshoot) where the mode has them, then rings, drift and
/// per-voxel noise. Every voxel is a pure function of (mode, shape, seed) and its coordinates: any
/// slab is generated identically whatever the slab boundaries (the blur is computed over a halo).
public struct HardFossilScan: SliceSource {
    /// One failure mode, one scan.
    public enum Mode: String, CaseIterable, Sendable {
        case lowContrastTexture = "low-contrast-texture"
        case phaseFringes = "phase-fringes"
        case brightInclusions = "bright-inclusions"
        case zDrift = "z-drift"
        case ringArtefacts = "ring-artefacts"
        case thinBone = "thin-bone"

        /// One line for benchmark output.
        public var summary: String {
            switch self {
            case .lowContrastTexture:
                return "bone and rock of nearly equal mean grey; bone shows only as fine lamellar texture against coarser rock grain"
            case .phaseFringes:
                return "low-contrast bone; bright/dark phase-contrast fringes at every edge and along void cracks through rock and bone"
            case .brightInclusions:
                return "pyrite and heavy-mineral grains of many sizes, brighter than bone (small ones blur to bone grey), are matrix"
            case .zDrift:
                return "brightness and contrast drift strongly along z; two labelled slices near z=0, one in the middle"
            case .ringArtefacts:
                return "strong concentric ring artefacts about the rotation axis, as bright as bone, plus heavy noise"
            case .thinBone:
                return "thin (1-3 voxel) struts and plates barely above rock grey; strong fringe at the cylindrical specimen's edge; air is matrix"
            }
        }

        /// The scan's shape in the suite: small enough for a Python forest in well under a minute.
        public var defaultShape: Shape {
            switch self {
            case .ringArtefacts: return Shape(z: 48, y: 256, x: 256)
            case .zDrift: return Shape(z: 64, y: 192, x: 192)
            case .thinBone: return Shape(z: 56, y: 224, x: 224)
            default: return Shape(z: 56, y: 224, x: 224)
            }
        }

        /// The dtype the scan is stored as.
        public var dtype: DType {
            switch self {
            case .phaseFringes: return .i16
            case .zDrift: return .u8
            case .thinBone: return .u8
            default: return .u16
            }
        }

        /// Slices a user would have labelled: three spread over z; for the drift, two near z = 0 and
        /// one in the middle, so that the far end is never seen in training.
        public func labelledSlices(depth: Int) -> [Int] {
            let fractions: [Double] = self == .zDrift ? [0.07, 0.18, 0.5] : [1.0 / 6, 0.5, 5.0 / 6]
            var slices: [Int] = []
            for f in fractions {
                let z = min(depth - 1, max(0, Int((f * Double(depth)).rounded(.down))))
                if !slices.contains(z) { slices.append(z) }
            }
            return slices
        }
    }

    public let mode: Mode
    public let shape: Shape
    public let dtype: DType
    public let seed: UInt64
    let scene: HardFossilScene
    let recipe: Recipe
    /// The ring profile against distance from the rotation axis, sampled every `ringStep` voxels.
    let ringProfile: [Double]

    static let ringStep = 0.05

    /// A scan of `mode`, of `shape` (default the mode's suite shape).
    public init(mode: Mode, shape: Shape? = nil, seed: UInt64 = 1) throws(PhantomError) {
        let shape = shape ?? mode.defaultShape
        guard shape.x >= 16, shape.y >= 16, shape.x <= 4096, shape.y <= 4096 else { throw .badSize(min(shape.x, shape.y)) }
        guard shape.z >= 1, shape.z <= 4096 else { throw .badSlices(shape.z) }
        self.mode = mode
        self.shape = shape
        self.dtype = mode.dtype
        self.seed = seed
        self.scene = HardFossilScene(mode: mode, shape: shape, seed: seed)
        self.recipe = Recipe(mode)
        self.ringProfile = recipe.rings > 0 ? Self.rings(shape: shape, seed: seed, strength: recipe.rings) : []
    }

    public var summary: String { "hard fossil scan '\(mode.rawValue)' \(shape), seed \(seed) (\(dtype))" }

    public func readSlices(_ range: Range<Int>) throws -> AnyBlock {
        render(range)
    }

    /// Ground-truth labels (1 = bone, 2 = everything else) for slices `range`.
    public func truthSlices(_ range: Range<Int>) -> Block<UInt8> {
        let out = Shape(z: range.count, y: shape.y, x: shape.x)
        let plane = shape.y * shape.x
        var truth = [UInt8](repeating: 0, count: out.voxelCount)
        let slices = Array(range)
        truth.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let base = buffer.baseAddress!
            DispatchQueue.concurrentPerform(iterations: slices.count) { i in
                let z = slices[i]
                for y in 0..<shape.y {
                    for x in 0..<shape.x {
                        let p = SIMD3<Double>(Double(x) + 0.5, Double(y) + 0.5, Double(z) + 0.5)
                        base[i * plane + y * shape.x + x] = scene.sample(p).label
                    }
                }
            }
        }
        return Block(shape: out, elements: truth)
    }

    /// Bone voxels over all voxels of the whole volume.
    public func boneFraction() -> Double {
        let t = truthSlices(0..<shape.z).elements
        return Double(t.lazy.filter { $0 == HardFossilScene.bone }.count) / Double(max(1, t.count))
    }

    // MARK: - Imaging

    /// How a mode's scene becomes a scan.
    struct Recipe: Sendable {
        /// Partial-volume blur (voxels).
        var blur = 0.7
        /// Phase-contrast fringe: image + gain·(image − G_width(image)).
        var fringeGain = 0.0, fringeWidth = 1.5
        /// Per-voxel noise (grey units) and ring-artefact strength.
        var noise = 0.03, rings = 0.0
        /// Brightness/contrast drift along z: grey' = offset(t) + gain(t)·grey, t = z/(depth−1).
        var drift = false
        /// Mapping of grey units to stored values.
        var scale = 50000.0, offset = 4000.0

        init(_ mode: Mode) {
            switch mode {
            case .lowContrastTexture:
                blur = 0.6; noise = 0.035
            case .phaseFringes:
                blur = 0.8; fringeGain = 2.2; fringeWidth = 1.6; noise = 0.03; scale = 24000; offset = -2000
            case .brightInclusions:
                blur = 0.9; fringeGain = 0.3; fringeWidth = 1.2; noise = 0.035
            case .zDrift:
                blur = 0.7; noise = 0.03; drift = true; scale = 215; offset = 12
            case .ringArtefacts:
                blur = 0.7; noise = 0.07; rings = 1.0
            case .thinBone:
                blur = 0.8; fringeGain = 2.6; fringeWidth = 1.8; noise = 0.03; scale = 230; offset = 10
            }
        }

        /// The wider of the two blurs, and the halo that makes slabs exact.
        var wideSigma: Double { fringeGain > 0 ? (blur * blur + fringeWidth * fringeWidth).squareRoot() : blur }
        var halo: Int { Int((3.5 * wideSigma).rounded(.up)) }
    }

    private func render(_ range: Range<Int>) -> AnyBlock {
        let h = recipe.halo
        let dims = (z: range.count + 2 * h, y: shape.y + 2 * h, x: shape.x + 2 * h)
        let plane = dims.y * dims.x
        var ideal = [Double](repeating: 0, count: dims.z * plane)
        let z0 = range.lowerBound - h
        ideal.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let base = buffer.baseAddress!
            DispatchQueue.concurrentPerform(iterations: dims.z) { k in
                let z = Double(z0 + k) + 0.5
                for j in 0..<dims.y {
                    let y = Double(j - h) + 0.5
                    let row = base + k * plane + j * dims.x
                    for i in 0..<dims.x {
                        row[i] = scene.sample(SIMD3(Double(i - h) + 0.5, y, z)).grey
                    }
                }
            }
        }
        var image = Self.blurred(ideal, dims: dims, sigma: recipe.blur)
        if recipe.fringeGain > 0 {
            let wide = Self.blurred(ideal, dims: dims, sigma: recipe.wideSigma)
            let k = recipe.fringeGain
            for n in image.indices { image[n] += k * (image[n] - wide[n]) }
        }
        // Crop the halo, add rings, noise and drift, quantise.
        let out = Shape(z: range.count, y: shape.y, x: shape.x)
        var values = [Double](repeating: 0, count: out.voxelCount)
        let cx = 0.485 * Double(shape.x), cy = 0.51 * Double(shape.y)
        let depth = Double(max(1, shape.z - 1))
        for k in 0..<out.z {
            let z = range.lowerBound + k
            let t = Double(z) / depth
            let ringGain = 0.8 + 0.4 * scene.noise.value(0, 0, Double(z), scale: 14, salt: 91)
            // Contrast gain and brightness offset along z: smooth, not linear, with a wobble.
            let smooth = t * t * (3 - 2 * t)
            let gain = 0.85 + 0.28 * smooth + 0.03 * sin(Double(z) * 0.4)
            let offset = -0.03 + 0.09 * t + 0.02 * (scene.noise.value(0, 0, Double(z), scale: 5, salt: 92) - 0.5)
            for y in 0..<out.y {
                for x in 0..<out.x {
                    var v = image[((k + h) * dims.y + y + h) * dims.x + x + h]
                    if !ringProfile.isEmpty {
                        let rx = Double(x) + 0.5 - cx, ry = Double(y) + 0.5 - cy
                        let r = (rx * rx + ry * ry).squareRoot() / Self.ringStep
                        let i = min(ringProfile.count - 2, Int(r))
                        let f = r - Double(i)
                        v += ringGain * (ringProfile[i] * (1 - f) + ringProfile[i + 1] * f)
                    }
                    v += recipe.noise * scene.noise.gaussian(x, y, z, salt: 99)
                    if recipe.drift { v = offset + gain * v }
                    values[(k * out.y + y) * out.x + x] = recipe.offset + recipe.scale * v
                }
            }
        }
        switch dtype {
        case .u8: return .u8(Block(shape: out, elements: values.map { UInt8(clampingDouble: $0) }))
        case .i16: return .i16(Block(shape: out, elements: values.map { Int16(clampingDouble: $0) }))
        default: return .u16(Block(shape: out, elements: values.map { UInt16(clampingDouble: $0) }))
        }
    }

    /// Concentric rings about the rotation axis: narrow bright and dark bands of random radius,
    /// width and strength (bad detector pixels), as a profile against radius.
    static func rings(shape: Shape, seed: UInt64, strength: Double) -> [Double] {
        let noise = LatticeNoise(seed: seed)
        let maxRadius = Double(shape.x + shape.y)
        let count = Int(maxRadius / ringStep) + 2
        var profile = [Double](repeating: 0, count: count)
        let rings = 34 + Int(Double(min(shape.x, shape.y)) / 12)
        for n in 0..<rings {
            let radius = 2 + noise.unit(n, 1, 0, 201) * 0.70 * Double(min(shape.x, shape.y))
            let width = 0.5 + 1.6 * noise.unit(n, 2, 0, 201)
            let sign: Double = noise.unit(n, 3, 0, 201) < 0.55 ? 1 : -1
            let amplitude = sign * strength * (0.05 + 0.20 * noise.unit(n, 4, 0, 201))
            let lo = max(0, Int((radius - 4 * width) / ringStep)), hi = min(count - 1, Int((radius + 4 * width) / ringStep))
            guard lo <= hi else { continue }
            for i in lo...hi {
                let d = (Double(i) * ringStep - radius) / width
                profile[i] += amplitude * exp(-0.5 * d * d)
            }
        }
        return profile
    }

    /// A separable Gaussian blur of a (z, y, x) grid, truncated at 3.5σ, borders clamped (the borders
    /// lie in the halo and are cropped away).
    static func blurred(_ input: [Double], dims: (z: Int, y: Int, x: Int), sigma: Double) -> [Double] {
        let radius = Int((3.5 * sigma).rounded(.up))
        var kernel = (-radius...radius).map { exp(-0.5 * Double($0 * $0) / (sigma * sigma)) }
        let total = kernel.reduce(0, +)
        kernel = kernel.map { $0 / total }
        var a = input
        var b = [Double](repeating: 0, count: input.count)
        let strides = [1, dims.x, dims.x * dims.y]
        let lengths = [dims.x, dims.y, dims.z]
        for axis in 0..<3 {
            let stride = strides[axis], length = lengths[axis]
            let lines = input.count / length
            a.withUnsafeBufferPointer { src in
                b.withUnsafeMutableBufferPointer { dst in
                    nonisolated(unsafe) let s = src.baseAddress!, d = dst.baseAddress!
                    kernel.withUnsafeBufferPointer { kp in
                        nonisolated(unsafe) let kb = kp.baseAddress!
                        let chunks = max(1, min(lines, 64))
                        let per = (lines + chunks - 1) / chunks
                        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                            for line in min(lines, chunk * per)..<min(lines, (chunk + 1) * per) {
                                // The start of the line: lines enumerate every index whose coordinate along `axis` is 0.
                                let start = axis == 0 ? line * length
                                    : axis == 1 ? (line / dims.x) * dims.x * dims.y + line % dims.x
                                    : line
                                for i in 0..<length {
                                    var acc = 0.0
                                    for o in -radius...radius {
                                        let j = min(length - 1, max(0, i + o))
                                        acc += kb[o + radius] * s[start + j * stride]
                                    }
                                    d[start + i * stride] = acc
                                }
                            }
                        }
                    }
                }
            }
            swap(&a, &b)
        }
        return a
    }
}
