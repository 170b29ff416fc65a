import Foundation

/// The ideal (noise-free, unblurred) content of a `HardFossilScan`: at every point, the true class
/// and the grey value the material would have, before partial-volume blur, phase-contrast fringes,
/// rings, drift and noise. A pure function of the point, the mode, the volume's shape and the seed.
struct HardFossilScene: Sendable {
    typealias Mode = HardFossilScan.Mode
    typealias Vec = SIMD3<Double>

    static let bone: UInt8 = 1
    static let matrix: UInt8 = 2

    /// A long bone: a capsule whose radius flares towards both ends.
    struct Capsule: Sendable {
        var a: Vec, b: Vec, radius: Double, cortex: Double

        /// Distance from `p` to the axis, the radius there, and the position along the axis (0…1).
        @inline(__always)
        func locate(_ p: Vec) -> (distance: Double, radius: Double) {
            let ab = b - a
            let t = min(1, max(0, ((p - a) * ab).sum() / (ab * ab).sum()))
            let q = a + t * ab
            let d = ((p - q) * (p - q)).sum().squareRoot()
            let u = 2 * t - 1
            return (d, radius * (1 + 0.4 * u * u * u * u))
        }
    }

    /// A crack: a wobbly plane slab of void, bounded by a disc.
    struct Crack: Sendable {
        var normal: Vec, centre: Vec, halfWidth: Double, radius: Double, salt: UInt64
    }

    /// A thin curved plate: the shell of an ellipsoid.
    struct Shell: Sendable {
        var centre: Vec, axes: Vec, thickness: Double
    }

    let mode: Mode
    let shape: Shape
    let noise: LatticeNoise
    let capsules: [Capsule]
    let cracks: [Crack]
    let shells: [Shell]

    init(mode: Mode, shape: Shape, seed: UInt64) {
        self.mode = mode
        self.shape = shape
        self.noise = LatticeNoise(seed: seed)
        let s = Double(min(shape.x, shape.y)), d = Double(shape.z)
        func v(_ x: Double, _ y: Double, _ z: Double) -> Vec { Vec(x * Double(shape.x), y * Double(shape.y), z * d) }
        // Bones in units of the slice (x, y) and of the stack depth (z); they run through many slices.
        var bones: [Capsule] = [
            Capsule(a: v(0.20, 0.26, -0.15), b: v(0.72, 0.64, 1.15), radius: 0.085 * s, cortex: 0.018 * s),
            Capsule(a: v(0.70, 0.18, -0.10), b: v(0.80, 0.40, 1.10), radius: 0.062 * s, cortex: 0.015 * s),
            Capsule(a: v(0.26, 0.76, 0.20), b: v(0.36, 0.80, 0.85), radius: 0.075 * s, cortex: 0.016 * s),
            Capsule(a: v(0.12, 0.52, 1.05), b: v(0.56, 0.88, -0.05), radius: 0.032 * s, cortex: 0.012 * s),
        ]
        if mode == .lowContrastTexture {
            bones.append(Capsule(a: v(0.55, 0.80, -0.1), b: v(0.86, 0.66, 1.1), radius: 0.05 * s, cortex: 0.05 * s))
        }
        self.capsules = bones
        switch mode {
        case .phaseFringes:
            self.cracks = [
                Crack(normal: Self.unit(Vec(0.80, -0.35, 0.30)), centre: v(0.50, 0.50, 0.5), halfWidth: 0.75, radius: 0.48 * s, salt: 41),
                Crack(normal: Self.unit(Vec(0.20, 0.95, -0.15)), centre: v(0.45, 0.35, 0.5), halfWidth: 0.6, radius: 0.40 * s, salt: 42),
                Crack(normal: Self.unit(Vec(-0.6, 0.6, 0.2)), centre: v(0.62, 0.68, 0.5), halfWidth: 0.9, radius: 0.30 * s, salt: 43),
                Crack(normal: Self.unit(Vec(0.95, 0.25, -0.1)), centre: v(0.28, 0.62, 0.5), halfWidth: 0.55, radius: 0.28 * s, salt: 44),
                Crack(normal: Self.unit(Vec(0.3, -0.9, 0.25)), centre: v(0.70, 0.82, 0.5), halfWidth: 0.7, radius: 0.25 * s, salt: 45),
            ]
        default:
            self.cracks = []
        }
        switch mode {
        case .thinBone:
            self.shells = [
                Shell(centre: v(0.46, 0.44, 0.35), axes: Vec(0.20 * s, 0.15 * s, 0.9 * d), thickness: 2.2),
                Shell(centre: v(0.56, 0.58, 0.70), axes: Vec(0.13 * s, 0.17 * s, 0.7 * d), thickness: 1.6),
            ]
        default:
            self.shells = []
        }
    }

    static func unit(_ v: Vec) -> Vec { v / (v * v).sum().squareRoot() }

    /// Class and ideal grey value (about 0…1) at `p` (voxel units, voxel centres at +0.5).
    func sample(_ p: Vec) -> (label: UInt8, grey: Double) {
        switch mode {
        case .lowContrastTexture: return lowContrast(p)
        case .phaseFringes: return fringes(p)
        case .brightInclusions: return inclusions(p)
        case .zDrift: return longBones(p, cortex: 0.64, strut: 0.58, marrow: 0.37, matrix: 0.42, grain: 0.06)
        case .ringArtefacts: return longBones(p, cortex: 0.60, strut: 0.55, marrow: 0.38, matrix: 0.42, grain: 0.05)
        case .thinBone: return thinBone(p)
        }
    }

    // MARK: - Materials

    /// Grainy rock: smooth grain at a few voxels plus finer speckle.
    @inline(__always)
    func rock(_ p: Vec, level: Double, grain: Double) -> Double {
        level + grain * noise.grain(p.x, p.y, p.z, scale: 6.0, salt: 11)
    }

    /// Which part of a long bone `p` is in: 0 outside, 1 cortex, 2 trabecular strut, 3 marrow space.
    @inline(__always)
    func bonePart(_ p: Vec) -> Int {
        for bone in capsules {
            let (d, r) = bone.locate(p)
            if d > r { continue }
            if d >= r - bone.cortex { return 1 }
            let n = noise.value(p.x, p.y, p.z, scale: max(3.5, 0.02 * Double(shape.x)), salt: 21)
            return abs(n - 0.5) < 0.085 ? 2 : 3
        }
        return 0
    }

    func longBones(_ p: Vec, cortex: Double, strut: Double, marrow: Double, matrix: Double, grain: Double) -> (UInt8, Double) {
        switch bonePart(p) {
        case 1: return (Self.bone, cortex + 0.3 * grain * noise.grain(p.x, p.y, p.z, scale: 3, salt: 14))
        case 2: return (Self.bone, strut)
        case 3: return (Self.matrix, marrow + 0.5 * grain * noise.grain(p.x, p.y, p.z, scale: 2.5, salt: 13))
        default: return (Self.matrix, rock(p, level: matrix, grain: grain))
        }
    }

    /// Bone and rock of the same mean; bone has fine lamellae (period ~4 voxels) round its axis and
    /// a fine speckle, rock a coarser grain of the same strength.
    func lowContrast(_ p: Vec) -> (UInt8, Double) {
        for bone in capsules {
            let (d, r) = bone.locate(p)
            if d > r { continue }
            let lamella = sin(2 * Double.pi * d / 3.6 + 2.5 * noise.value(p.x, p.y, p.z, scale: 12, salt: 31))
            let speckle = noise.value(p.x, p.y, p.z, scale: 1.6, salt: 32) - 0.5
            return (Self.bone, 0.462 + 0.045 * lamella + 0.09 * speckle)
        }
        return (Self.matrix, 0.45 + 0.13 * noise.grain(p.x, p.y, p.z, scale: 7.0, salt: 11))
    }

    /// Low-contrast bone cut by void cracks (the fringes come from the scan's phase-contrast filter).
    func fringes(_ p: Vec) -> (UInt8, Double) {
        for crack in cracks {
            let rel = p - crack.centre
            let along = (rel * crack.normal).sum()
            let wobble = 3.0 * (noise.value(p.x, p.y, p.z, scale: 18, salt: crack.salt) - 0.5)
            let width = crack.halfWidth * (0.6 + 0.8 * noise.value(p.x, p.y, p.z, scale: 10, salt: crack.salt &+ 50))
            guard abs(along + wobble) < width else { continue }
            let inPlane = (rel * rel).sum() - along * along
            if inPlane < crack.radius * crack.radius { return (Self.matrix, 0.06) }
        }
        return longBones(p, cortex: 0.53, strut: 0.50, marrow: 0.40, matrix: 0.44, grain: 0.05)
    }

    /// Long bones in rock strewn with bright grains (pyrite, heavy minerals) of many sizes.
    func inclusions(_ p: Vec) -> (UInt8, Double) {
        let part = bonePart(p)
        if part == 1 || part == 2 {
            return longBones(p, cortex: 0.62, strut: 0.56, marrow: 0.34, matrix: 0.36, grain: 0.05)
        }
        if let grey = grain(p, cell: 26, chance: 0.75, radii: 3.0...9.0, salt: 61)
            ?? grain(p, cell: 8, chance: 0.6, radii: 0.9...2.4, salt: 71) {
            return (Self.matrix, grey)
        }
        return longBones(p, cortex: 0.62, strut: 0.56, marrow: 0.34, matrix: 0.36, grain: 0.05)
    }

    /// The grey value of a grain at `p`, if one is there: at most one grain per cell of the lattice,
    /// small enough to stay within its cell's neighbours.
    @inline(__always)
    func grain(_ p: Vec, cell: Double, chance: Double, radii: ClosedRange<Double>, salt: UInt64) -> Double? {
        let cx = Int((p.x / cell).rounded(.down)), cy = Int((p.y / cell).rounded(.down)), cz = Int((p.z / cell).rounded(.down))
        for dz in -1...1 {
            for dy in -1...1 {
                for dx in -1...1 {
                    let i = cx + dx, j = cy + dy, k = cz + dz
                    guard noise.unit(i, j, k, salt) < chance else { continue }
                    let centre = Vec((Double(i) + noise.unit(i, j, k, salt &+ 1)) * cell,
                                     (Double(j) + noise.unit(i, j, k, salt &+ 2)) * cell,
                                     (Double(k) + noise.unit(i, j, k, salt &+ 3)) * cell)
                    let r = radii.lowerBound + (radii.upperBound - radii.lowerBound) * noise.unit(i, j, k, salt &+ 4)
                    let q = p - centre
                    // Slightly flattened, irregular grains.
                    let d2 = q.x * q.x + q.y * q.y * 1.3 + q.z * q.z * 0.8
                    let rough = r * (0.85 + 0.3 * noise.value(p.x, p.y, p.z, scale: max(1.5, r * 0.7), salt: salt &+ 5))
                    if d2 < rough * rough {
                        let brightness = noise.unit(i, j, k, salt &+ 6)
                        return 0.52 + 0.6 * brightness
                    }
                }
            }
        }
        return nil
    }

    /// A cylindrical specimen in air; inside, an embryo of thin, poorly mineralised struts and
    /// plates barely brighter than the rock.
    func thinBone(_ p: Vec) -> (UInt8, Double) {
        let cx = 0.5 * Double(shape.x) + 0.01 * Double(shape.x) * sin(p.z * 0.05)
        let cy = 0.5 * Double(shape.y)
        let rx = p.x - cx, ry = p.y - cy
        let specimen = 0.44 * Double(min(shape.x, shape.y))
        if rx * rx + ry * ry > specimen * specimen { return (Self.matrix, 0.05) }
        let level = 0.445
        for shell in shells {
            let q = (p - shell.centre) / shell.axes
            let rho = (q * q).sum().squareRoot()
            let scale = min(shell.axes.x, shell.axes.y)
            if abs(rho - 1) * scale < 0.5 * shell.thickness, q.z > -0.9 { return (Self.bone, level + 0.01) }
        }
        // Struts and plates: where a smooth field crosses its median, inside an ellipsoidal body.
        let bx = (p.x - 0.5 * Double(shape.x)) / (0.30 * Double(shape.x))
        let by = (p.y - 0.5 * Double(shape.y)) / (0.26 * Double(shape.y))
        if bx * bx + by * by < 1 {
            let n = noise.value(p.x, p.y, p.z * 1.3, scale: 10, salt: 81)
            let eps = 0.022 + 0.03 * noise.value(p.x, p.y, p.z, scale: 30, salt: 82)
            if abs(n - 0.5) < eps { return (Self.bone, level) }
        }
        return (Self.matrix, rock(p, level: 0.41, grain: 0.045))
    }
}
