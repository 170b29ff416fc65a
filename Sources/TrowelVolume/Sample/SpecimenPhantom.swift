import Foundation

/// Synthetic foraminifera-like specimens for testing taxon identification: a chamber plan per
/// taxon (globular: one chamber; planispiral: chambers growing along a flat spiral; uniserial: a
/// straight growing row; biserial: two alternating rows; trochospiral: a high spire of three
/// chambers a whorl, so each slice cuts a different whorl; milioline: elongated chambers added 144° apart
/// around the long axis), hollow chambers with a bright wall in dark matrix, and variation between
/// specimens of a taxon from `seed` (size, chamber count, wall thickness, rotation about z, a tilt
/// of up to ±14° out of the slice plane, noise, contrast). Not real data: accuracy measured on these
/// says the code works, not how well a real catalogue will be identified.
public struct SpecimenPhantom: Sendable {
    public enum Plan: String, CaseIterable, Sendable {
        case globular, planispiral, uniserial, biserial, trochospiral, milioline
    }

    public var plan: Plan
    public var side: Int
    public var seed: UInt64

    public init(plan: Plan, side: Int = 32, seed: UInt64) {
        self.plan = plan
        self.side = side
        self.seed = seed
    }

    struct Random {
        var state: UInt64
        mutating func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        mutating func range(_ a: Double, _ b: Double) -> Double { a + (b - a) * next() }
    }

    /// One chamber: centre (z, y, x in units of the side), radius, and how many times longer it is
    /// along x than across (1 for a sphere).
    struct Chamber {
        var c: (Double, Double, Double)
        var r: Double
        var elongation = 1.0
    }

    /// The chambers, before rotation.
    func chambers(_ rng: inout Random) -> [Chamber] {
        let scale = rng.range(0.85, 1.15)
        switch plan {
        case .globular:
            return [Chamber(c: (0, 0, 0), r: 0.33 * scale)]
        case .planispiral:
            let n = Int(rng.range(5, 8))
            return (0..<n).map { i in
                let a = Double(i) * 0.9, rad = 0.06 + 0.035 * Double(i)
                return Chamber(c: (0, rad * sin(a) * scale, rad * cos(a) * scale), r: (0.06 + 0.016 * Double(i)) * scale)
            }
        case .uniserial:
            let n = Int(rng.range(3, 5))
            var x = -0.32 * scale
            return (0..<n).map { i in
                let r = (0.07 + 0.025 * Double(i)) * scale
                defer { x += 1.6 * r }
                return Chamber(c: (0, 0, x + r), r: r)
            }
        case .biserial:
            let n = Int(rng.range(6, 9))
            return (0..<n).map { i in
                let r = (0.05 + 0.012 * Double(i)) * scale
                return Chamber(c: (0, (i % 2 == 0 ? -1 : 1) * 0.9 * r, -0.3 * scale + 0.085 * Double(i) * scale), r: r)
            }
        case .trochospiral:
            // A high spire, three chambers a whorl: each chamber 120° on and lower along z than the
            // one before, so a slice cuts two or three chambers of one whorl.
            let n = Int(rng.range(6, 9))
            return (0..<n).map { i in
                let a = Double(i) * 2.1, rad = 0.08 + 0.012 * Double(i)
                return Chamber(c: ((0.18 - 0.045 * Double(i)) * scale, rad * sin(a) * scale, rad * cos(a) * scale),
                               r: (0.07 + 0.01 * Double(i)) * scale)
            }
        case .milioline:
            // Elongated chambers, each 144° around the long (x) axis from the one before.
            let n = Int(rng.range(4, 6))
            return (0..<n).map { i in
                let a = Double(i) * 0.8 * .pi, d = (0.05 + 0.012 * Double(i)) * scale
                return Chamber(c: (d * sin(a), d * cos(a), 0), r: (0.065 + 0.012 * Double(i)) * scale, elongation: 2.6)
            }
        }
    }

    /// The scan, 8-bit.
    public func volume() -> Block<UInt8> {
        var rng = Random(state: seed &* 0x9E3779B97F4A7C15 &+ 17)
        let list = chambers(&rng)
        let angle = rng.range(0, 2 * .pi), tilt = rng.range(-0.25, 0.25), wall = rng.range(0.025, 0.045)
        let matrix = rng.range(40, 70), shell = rng.range(170, 220), noise = rng.range(6, 14)
        let ca = cos(angle), sa = sin(angle), ct = cos(tilt), st = sin(tilt)
        let s = Double(side)
        // Chambers are stretched along z so most z-slices cut through the whole chamber plan.
        let zSquash = 0.45
        var out = Block<UInt8>(shape: Shape(z: side, y: side, x: side), repeating: 0)
        for z in 0..<side {
            for y in 0..<side {
                for x in 0..<side {
                    let pz = ((Double(z) + 0.5) / s - 0.5) * zSquash
                    let qy = (Double(y) + 0.5) / s - 0.5, qx = (Double(x) + 0.5) / s - 0.5
                    // Rotate the sample point back into the specimen's frame.
                    let ry = ca * qy + sa * qx, px = -sa * qy + ca * qx
                    let py = ct * ry + st * pz, tz = -st * ry + ct * pz
                    var inWall = false, inCavity = false
                    for ch in list {
                        let ex = (px - ch.c.2) / ch.elongation
                        let d = ((tz - ch.c.0) * (tz - ch.c.0) + (py - ch.c.1) * (py - ch.c.1) + ex * ex).squareRoot()
                        if d < ch.r - wall { inCavity = true } else if d < ch.r { inWall = true }
                    }
                    var v = inWall && !inCavity ? shell : inCavity ? matrix + 15 : matrix
                    v += noise * (rng.next() + rng.next() + rng.next() - 1.5) * 2
                    out[z, y, x] = UInt8(min(255, max(0, v.rounded())))
                }
            }
        }
        return out
    }
}
