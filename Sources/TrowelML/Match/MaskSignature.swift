import Foundation

/// The shape of a plane's Otsu mask (`value > threshold`), for the matcher's coarse pass: area,
/// centroid, Hu's invariants and the mask sampled on a polar grid around the centroid with the
/// radius in units of the mask's equivalent radius √(area/π). Scale and position drop out; a
/// rotation becomes a cyclic shift of the sectors, so the Dice of two masks over every rotation
/// is one pass of shifts (`bestRotation`).
struct MaskSignature: Sendable {
    static let rings = 24
    static let sectors = 90
    /// Outermost ring, in equivalent radii.
    static let reach = 3.0

    /// Mask pixels, in the plane's pixels.
    let area: Double
    let centroid: (row: Double, column: Double)
    /// Log-scaled Hu invariants of the mask.
    let hu: [Double]
    /// rings × sectors samples of the mask (bilinear, 0…1), ring-major.
    let polar: [Float]
    /// Σ of ring weights × samples (the polar "area").
    let weightedArea: Double

    /// The signature of `plane`'s pixels above `threshold`, or nil when fewer than 8 pixels are above.
    init?(_ plane: GreyPlane, threshold: Float) {
        let h = plane.height, w = plane.width
        var mask = [Float](repeating: 0, count: plane.count)
        var n = 0.0, sr = 0.0, sc = 0.0
        for r in 0..<h {
            for c in 0..<w where plane.values[r * w + c] > threshold {
                mask[r * w + c] = 1
                n += 1; sr += Double(r); sc += Double(c)
            }
        }
        guard n >= 8 else { return nil }
        area = n
        centroid = (sr / n, sc / n)
        hu = HuMoments.logScaled(HuMoments.of(mask, height: h, width: w))
        let m = GreyPlane(height: h, width: w, values: mask)
        let radius = (n / .pi).squareRoot()
        var samples = [Float](repeating: 0, count: Self.rings * Self.sectors)
        var weighted = 0.0
        for i in 0..<Self.rings {
            let rho = (Double(i) + 0.5) / Double(Self.rings) * Self.reach * radius
            for j in 0..<Self.sectors {
                let phi = 2 * Double.pi * Double(j) / Double(Self.sectors)
                let v = m.sample(y: centroid.row - rho * Foundation.sin(phi), x: centroid.column + rho * Foundation.cos(phi)) ?? 0
                samples[i * Self.sectors + j] = v
                weighted += Self.weight(ring: i) * Double(v)
            }
        }
        polar = samples
        weightedArea = weighted
    }

    /// Area element of ring `i` (proportional to its radius).
    @inline(__always) static func weight(ring i: Int) -> Double { Double(i) + 0.5 }

    /// The rotation (degrees, counter-clockwise, of `self` relative to `slice`) whose polar Dice
    /// is highest, and that Dice.
    func bestRotation(against slice: MaskSignature) -> (angle: Double, dice: Double) {
        let n = Self.sectors
        var best = (k: 0, overlap: -1.0)
        polar.withUnsafeBufferPointer { image in
            slice.polar.withUnsafeBufferPointer { s in
                for k in 0..<n {
                    var overlap = 0.0
                    for i in 0..<Self.rings {
                        let row = i * n
                        var ring: Float = 0
                        for j in 0..<n {
                            let jj = j + k < n ? j + k : j + k - n
                            ring += s[row + j] * image[row + jj]
                        }
                        overlap += Self.weight(ring: i) * Double(ring)
                    }
                    if overlap > best.overlap { best = (k, overlap) }
                }
            }
        }
        let total = weightedArea + slice.weightedArea
        return (Double(best.k) * 360 / Double(n), total > 0 ? 2 * best.overlap / total : 0)
    }

    /// Mean absolute difference of the first four log-scaled Hu invariants (the higher ones are
    /// near zero, and so noisy in log scale, for nearly symmetric shapes).
    func huDistance(to other: MaskSignature) -> Double {
        (0..<4).reduce(0) { $0 + Swift.abs(hu[$1] - other.hu[$1]) } / 4
    }
}
