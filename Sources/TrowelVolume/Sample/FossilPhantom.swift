import Dispatch
import Foundation

/// A synthetic fossil CT scan with exact ground truth, for the bundled sample and for benchmarks.
///
/// Bones (capsules with flared ends) have a bright cortical shell around a trabecular interior of
/// struts and sediment-filled spaces, lying in a grainy rock matrix. A crack runs through rock and
/// bone, ring artefacts circle the rotation axis, noise is added per voxel, and brightness drifts
/// slowly along z as in real synchrotron stacks. Every voxel is a pure function of its coordinates
/// and the seed, so any slab is generated identically, in any order, on any machine.
public struct FossilPhantom: SliceSource {
    /// Ground-truth class ids.
    public enum Label: UInt8, Sendable {
        case bone = 1
        case matrix = 2
    }

    public let shape: Shape
    public let dtype: DType
    public let seed: UInt64

    /// A phantom of `size`×`size` pixels per slice and `slices` slices (default `size`).
    public init(size: Int, slices: Int? = nil, dtype: DType = .u8, seed: UInt64 = 1) throws(PhantomError) {
        guard size >= 16, size <= 8192 else { throw .badSize(size) }
        let depth = slices ?? size
        guard depth >= 1, depth <= 8192 else { throw .badSlices(depth) }
        guard dtype == .u8 || dtype == .u16 else { throw .badDType(dtype) }
        self.shape = Shape(z: depth, y: size, x: size)
        self.dtype = dtype
        self.seed = seed
        let grid = Shape(z: depth, y: size, x: size)
        self.bones = Self.layout.map { $0.scaled(to: grid) }
        let s = Double(size)
        self.crack = Crack(normal: Vec3(x: 0.8, y: -0.35, z: 0.48).normalized, offset: 0.52 * s * 1.27,
                           centre: Vec3(x: 0.5 * s, y: 0.5 * s, z: 0.5 * Double(depth)), radius: 0.42 * s)
    }

    public var summary: String { "fossil phantom \(shape), seed \(seed) (\(dtype))" }

    public func readSlices(_ range: Range<Int>) throws -> AnyBlock {
        let (image, _) = generate(range, wantImage: true, wantTruth: false)
        return image!
    }

    /// Ground-truth labels (1 = bone, 2 = matrix) for slices `range`.
    public func truthSlices(_ range: Range<Int>) -> Block<UInt8> {
        generate(range, wantImage: false, wantTruth: true).1!
    }

    /// The ground truth as a source of its own, so it can be converted and stored like a scan.
    public var truth: SliceSource { Truth(phantom: self) }

    // MARK: - Model

    struct Vec3 {
        var x, y, z: Double
        static func - (a: Vec3, b: Vec3) -> Vec3 { Vec3(x: a.x - b.x, y: a.y - b.y, z: a.z - b.z) }
        func dot(_ o: Vec3) -> Double { x * o.x + y * o.y + z * o.z }
        var normalized: Vec3 {
            let n = dot(self).squareRoot()
            return Vec3(x: x / n, y: y / n, z: z / n)
        }
    }

    /// A long bone: a capsule from `a` to `b` whose radius flares towards both ends.
    struct Bone {
        var a: Vec3, b: Vec3, radius: Double, cortex: Double
        func scaled(to shape: Shape) -> Bone {
            let s = Double(shape.x), d = Double(shape.z)
            func p(_ v: Vec3) -> Vec3 { Vec3(x: v.x * s, y: v.y * s, z: v.z * d) }
            return Bone(a: p(a), b: p(b), radius: radius * s, cortex: max(1.6, cortex * s))
        }
    }

    struct Crack {
        var normal: Vec3, offset: Double, centre: Vec3, radius: Double
    }

    /// Bones in units of the slice width (x, y) and the stack depth (z).
    static let layout: [Bone] = [
        Bone(a: Vec3(x: 0.18, y: 0.24, z: 0.12), b: Vec3(x: 0.80, y: 0.68, z: 0.86), radius: 0.085, cortex: 0.018),
        Bone(a: Vec3(x: 0.70, y: 0.16, z: 0.25), b: Vec3(x: 0.78, y: 0.38, z: 0.85), radius: 0.06, cortex: 0.014),
        Bone(a: Vec3(x: 0.26, y: 0.74, z: 0.38), b: Vec3(x: 0.34, y: 0.78, z: 0.62), radius: 0.075, cortex: 0.016),
        Bone(a: Vec3(x: 0.12, y: 0.52, z: 0.75), b: Vec3(x: 0.56, y: 0.90, z: 0.30), radius: 0.028, cortex: 0.011),
    ]

    let bones: [Bone]
    let crack: Crack

    struct Truth: SliceSource {
        let phantom: FossilPhantom
        var shape: Shape { phantom.shape }
        var dtype: DType { .u8 }
        var summary: String { "ground truth of \(phantom.summary)" }
        func readSlices(_ range: Range<Int>) throws -> AnyBlock { .u8(phantom.truthSlices(range)) }
    }

    // MARK: - Generation

    /// Grey levels on a 0…255 scale before drift and noise.
    enum Grey {
        static let matrix = 92.0, cortex = 205.0, strut = 172.0, marrow = 74.0, crack = 24.0
        static let grain = 26.0, rings = 7.0, noise = 9.0
    }

    private func generate(_ range: Range<Int>, wantImage: Bool, wantTruth: Bool) -> (AnyBlock?, Block<UInt8>?) {
        let out = Shape(z: range.count, y: shape.y, x: shape.x)
        let plane = shape.y * shape.x
        let image = UnsafeMutableBufferPointer<Double>.allocate(capacity: wantImage ? out.voxelCount : 0)
        let truth = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: wantTruth ? out.voxelCount : 0)
        defer {
            image.deallocate()
            truth.deallocate()
        }
        let slices = Array(range)
        nonisolated(unsafe) let imagePointer = image.baseAddress
        nonisolated(unsafe) let truthPointer = truth.baseAddress
        DispatchQueue.concurrentPerform(iterations: slices.count) { i in
            self.fillSlice(slices[i], image: wantImage ? imagePointer! + i * plane : nil,
                           truth: wantTruth ? truthPointer! + i * plane : nil)
        }
        var imageBlock: AnyBlock?
        if wantImage {
            switch dtype {
            case .u16: imageBlock = .u16(Block(shape: out, elements: image.map { UInt16(clampingDouble: $0 * 257) }))
            default: imageBlock = .u8(Block(shape: out, elements: image.map { UInt8(clampingDouble: $0) }))
            }
        }
        return (imageBlock, wantTruth ? Block(shape: out, elements: Array(truth)) : nil)
    }

    private func fillSlice(_ z: Int, image: UnsafeMutablePointer<Double>?, truth: UnsafeMutablePointer<UInt8>?) {
        let depth = Double(shape.z)
        let gain = 0.86 + 0.28 * Double(z) / max(1, depth - 1)   // brightness drift along z
        let cx = Double(shape.x) / 2, cy = Double(shape.y) / 2
        let fz = Double(z) + 0.5
        for y in 0..<shape.y {
            let fy = Double(y) + 0.5
            for x in 0..<shape.x {
                let fx = Double(x) + 0.5
                let p = Vec3(x: fx, y: fy, z: fz)
                var label = Label.matrix
                var grey = Grey.matrix + Grey.grain * (valueNoise(p, scale: 5.0, salt: 11) - 0.5)
                    + 0.5 * Grey.grain * (valueNoise(p, scale: 1.7, salt: 12) - 0.5)
                for bone in bones {
                    let (d, r) = distance(p, to: bone)
                    if d > r { continue }
                    if d >= r - bone.cortex {
                        label = .bone
                        grey = Grey.cortex
                    } else {
                        // Trabeculae: thin sheets where a smooth noise field crosses its median.
                        let n = valueNoise(p, scale: max(3.0, 0.018 * Double(shape.x)), salt: 21)
                        if abs(n - 0.5) < 0.085 {
                            label = .bone
                            grey = Grey.strut
                        } else {
                            label = .matrix
                            grey = Grey.marrow + 0.4 * Grey.grain * (valueNoise(p, scale: 2.5, salt: 13) - 0.5)
                        }
                    }
                    break
                }
                if inCrack(p) {
                    label = .matrix
                    grey = Grey.crack
                }
                if let truth { truth[y * shape.x + x] = label.rawValue }
                if let image {
                    let rx = fx - cx, ry = fy - cy
                    let radius = (rx * rx + ry * ry).squareRoot()
                    let ring = Grey.rings * sin(radius * 0.9) * exp(-radius / (0.35 * Double(shape.x)))
                    image[y * shape.x + x] = grey * gain + ring + Grey.noise * gaussianNoise(x, y, z, salt: 31)
                }
            }
        }
    }

    /// Distance from `p` to the bone's axis, and the bone's radius at the nearest axis point.
    private func distance(_ p: Vec3, to bone: Bone) -> (Double, Double) {
        let ab = bone.b - bone.a
        let t = min(1, max(0, (p - bone.a).dot(ab) / ab.dot(ab)))
        let q = Vec3(x: bone.a.x + t * ab.x, y: bone.a.y + t * ab.y, z: bone.a.z + t * ab.z)
        let d = (p - q).dot(p - q).squareRoot()
        let u = 2 * t - 1
        return (d, bone.radius * (1 + 0.45 * u * u * u * u))
    }

    private func inCrack(_ p: Vec3) -> Bool {
        let c = crack
        let along = p.dot(c.normal) - c.centre.dot(c.normal)
        let wobble = 2.5 * (valueNoise(p, scale: 14, salt: 41) - 0.5)
        guard abs(along + wobble) < 0.9 else { return false }
        let r = p - c.centre
        let inPlane = r.dot(r) - along * along
        return inPlane < c.radius * c.radius
    }

    // MARK: - Deterministic noise

    @inline(__always)
    private func hash(_ x: Int, _ y: Int, _ z: Int, _ salt: UInt64) -> UInt64 {
        LatticeNoise.hash(x, y, z, key: seed &+ salt)
    }

    @inline(__always)
    private func unit(_ x: Int, _ y: Int, _ z: Int, _ salt: UInt64) -> Double {
        Double(hash(x, y, z, salt) >> 11) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// Smooth noise in [0, 1): lattice values every `scale` voxels, smoothly interpolated.
    private func valueNoise(_ p: Vec3, scale: Double, salt: UInt64) -> Double {
        let gx = p.x / scale, gy = p.y / scale, gz = p.z / scale
        let ix = Int(gx.rounded(.down)), iy = Int(gy.rounded(.down)), iz = Int(gz.rounded(.down))
        func fade(_ t: Double) -> Double { t * t * (3 - 2 * t) }
        let tx = fade(gx - Double(ix)), ty = fade(gy - Double(iy)), tz = fade(gz - Double(iz))
        func lerp(_ a: Double, _ b: Double, _ t: Double) -> Double { a + (b - a) * t }
        func v(_ dx: Int, _ dy: Int, _ dz: Int) -> Double { unit(ix + dx, iy + dy, iz + dz, salt) }
        let x00 = lerp(v(0, 0, 0), v(1, 0, 0), tx), x10 = lerp(v(0, 1, 0), v(1, 1, 0), tx)
        let x01 = lerp(v(0, 0, 1), v(1, 0, 1), tx), x11 = lerp(v(0, 1, 1), v(1, 1, 1), tx)
        return lerp(lerp(x00, x10, ty), lerp(x01, x11, ty), tz)
    }

    /// Approximately standard-normal noise per voxel (sum of four uniforms).
    private func gaussianNoise(_ x: Int, _ y: Int, _ z: Int, salt: UInt64) -> Double {
        let h = hash(x, y, z, salt)
        let a = Double(h & 0xFFFF), b = Double((h >> 16) & 0xFFFF), c = Double((h >> 32) & 0xFFFF), d = Double(h >> 48)
        return ((a + b + c + d) / 65536.0 - 2.0) * 1.7320508
    }
}

/// A phantom that cannot be generated as asked.
public enum PhantomError: Error, CustomStringConvertible {
    case badSize(Int)
    case badSlices(Int)
    case badDType(DType)

    public var description: String {
        switch self {
        case .badSize(let s): return "phantom size \(s) is out of range: use 16…8192 pixels"
        case .badSlices(let s): return "phantom slice count \(s) is out of range: use 1…8192"
        case .badDType(let d): return "phantom dtype \(d) is not supported: use u8 or u16"
        }
    }
}
