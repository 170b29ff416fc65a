/// Deterministic noise fields for generated scans: every value is a pure function of the integer or
/// real coordinates, a salt and the seed, so any slab of a generated volume is identical however the
/// volume is split.
struct LatticeNoise: Sendable {
    let seed: UInt64

    /// A 64-bit hash of a lattice point.
    @inline(__always)
    func hash(_ x: Int, _ y: Int, _ z: Int, _ salt: UInt64) -> UInt64 {
        Self.hash(x, y, z, key: seed &+ salt &* 0x2545_F491_4F6C_DD1D)
    }

    /// The lattice hash both generators use: the coordinates and `key` mixed, then splitmix64's
    /// finaliser. (`FossilPhantom` keys by seed + salt, this type by seed + salt × a constant.)
    @inline(__always)
    static func hash(_ x: Int, _ y: Int, _ z: Int, key: UInt64) -> UInt64 {
        var h = UInt64(bitPattern: Int64(x)) &* 0x9E37_79B9_7F4A_7C15
        h ^= UInt64(bitPattern: Int64(y)) &* 0xC2B2_AE3D_27D4_EB4F
        h ^= UInt64(bitPattern: Int64(z)) &* 0x1656_67B1_9E37_79F9
        h ^= key &* 0xD6E8_FEB8_6659_FD93
        h ^= h >> 30
        h &*= 0xBF58_476D_1CE4_E5B9
        h ^= h >> 27
        h &*= 0x94D0_49BB_1331_11EB
        h ^= h >> 31
        return h
    }

    /// Uniform in [0, 1) at a lattice point.
    @inline(__always)
    func unit(_ x: Int, _ y: Int, _ z: Int, _ salt: UInt64) -> Double {
        Double(hash(x, y, z, salt) >> 11) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// Smooth noise in [0, 1): lattice values every `scale` voxels, smoothly interpolated.
    func value(_ px: Double, _ py: Double, _ pz: Double, scale: Double, salt: UInt64) -> Double {
        let gx = px / scale, gy = py / scale, gz = pz / scale
        let fx = gx.rounded(.down), fy = gy.rounded(.down), fz = gz.rounded(.down)
        let ix = Int(fx), iy = Int(fy), iz = Int(fz)
        @inline(__always) func fade(_ t: Double) -> Double { t * t * (3 - 2 * t) }
        let tx = fade(gx - fx), ty = fade(gy - fy), tz = fade(gz - fz)
        @inline(__always) func lerp(_ a: Double, _ b: Double, _ t: Double) -> Double { a + (b - a) * t }
        @inline(__always) func v(_ dx: Int, _ dy: Int, _ dz: Int) -> Double { unit(ix + dx, iy + dy, iz + dz, salt) }
        let x00 = lerp(v(0, 0, 0), v(1, 0, 0), tx), x10 = lerp(v(0, 1, 0), v(1, 1, 0), tx)
        let x01 = lerp(v(0, 0, 1), v(1, 0, 1), tx), x11 = lerp(v(0, 1, 1), v(1, 1, 1), tx)
        return lerp(lerp(x00, x10, ty), lerp(x01, x11, ty), tz)
    }

    /// Two octaves of smooth noise, centred on 0 (roughly -0.5…0.5).
    func grain(_ px: Double, _ py: Double, _ pz: Double, scale: Double, salt: UInt64) -> Double {
        0.7 * (value(px, py, pz, scale: scale, salt: salt) - 0.5)
            + 0.3 * (value(px, py, pz, scale: scale * 0.45, salt: salt &+ 1) - 0.5) * 1.6
    }

    /// Approximately standard-normal noise per voxel (sum of four uniforms).
    @inline(__always)
    func gaussian(_ x: Int, _ y: Int, _ z: Int, salt: UInt64) -> Double {
        let h = hash(x, y, z, salt)
        let a = Double(h & 0xFFFF), b = Double((h >> 16) & 0xFFFF), c = Double((h >> 32) & 0xFFFF), d = Double(h >> 48)
        return ((a + b + c + d) / 65536.0 - 2.0) * 1.7320508
    }
}
