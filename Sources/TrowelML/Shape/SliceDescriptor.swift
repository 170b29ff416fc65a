import Foundation
import TrowelVolume

/// A rotation-invariant description of one CT slice of a specimen, for taxon identification.
/// The fossil is `value > t`, t Otsu's threshold of the whole specimen (given by the caller: a
/// slice's own Otsu threshold splits pure matrix in two when the slice misses the fossil) or of
/// the slice alone; a slice whose fossil covers less than `minimumFraction` is skipped (nil). The
/// slice is cropped to the fossil's box and described by:
/// the fossil's share of the slice; a `histogramBins` histogram of grey values inside the fossil
/// (0 at the threshold, 1 at the slice maximum; shares summing to 1); mean and standard deviation
/// inside the fossil of each FeatureBank response (intensity, gradient, Hessian eigenvalues at
/// `sigmas`, on the crop scaled to 0…1); Hu's seven invariants of the mask (log-scaled); a radial
/// profile from the fossil's centroid (`radialBins` rings out to its farthest pixel: the fossil's
/// share of each ring and the mean grey value there); perimeter² / area of the mask; and the
/// chamber measures of `MaskShape` (pieces, holes = chamber cavities, their shares, solidity, wall
/// depth relative to the fossil's size, roundness) with Hu's invariants of the hole-filled mask.
public struct SliceDescriptor: Sendable, Codable, Equatable {
    public var minimumFraction: Double = 0.02
    public var histogramBins: Int = 16
    public var radialBins: Int = 8
    public var sigmas: [Double] = [1, 2, 4]
    /// Whose Otsu threshold finds the fossil: the whole specimen's or each slice's own.
    public var threshold: ThresholdScope = .specimen

    public enum ThresholdScope: String, Codable, Sendable {
        case specimen, slice
    }

    public init(minimumFraction: Double = 0.02, histogramBins: Int = 16, radialBins: Int = 8, sigmas: [Double] = [1, 2, 4],
                threshold: ThresholdScope = .specimen) {
        self.minimumFraction = minimumFraction
        self.histogramBins = histogramBins
        self.radialBins = radialBins
        self.sigmas = sigmas
        self.threshold = threshold
    }

    /// Chamber and wall measures per descriptor (see `MaskShape`), then Hu's invariants of the filled mask.
    static let shapeNames = ["pieces", "holes", "holes ≥ 1 %", "hole share", "largest hole share", "hole size cv", "solidity",
                             "wall depth", "largest depth", "roundness"] + (0..<7).map { "filled hu[\($0)]" }

    var bankSpec: FeatureSpec { FeatureSpec(sigmas: sigmas, normalization: .identity) }

    /// Throws when the descriptor cannot be computed (e.g. a model file asking for σ ≤ 0 or no bins).
    public func validate() throws {
        try bankSpec.validate()
        guard histogramBins > 0, radialBins > 0 else {
            throw FeatureSpecError("a slice descriptor needs at least one histogram bin and one ring")
        }
    }

    /// Values per descriptor.
    public var count: Int { 1 + histogramBins + 2 * bankSpec.featureCount + 7 + 2 * radialBins + 1 + Self.shapeNames.count }

    /// Names of the values, in order.
    public var names: [String] {
        ["fossil fraction"] + (0..<histogramBins).map { "histogram[\($0)]" }
            + bankSpec.featureNames.flatMap { ["mean \($0)", "sd \($0)"] }
            + (0..<7).map { "hu[\($0)]" } + (0..<radialBins).map { "ring fill[\($0)]" }
            + (0..<radialBins).map { "ring grey[\($0)]" } + ["perimeter²/area"] + Self.shapeNames
    }

    /// The descriptor of a `height` × `width` slice (row-major grey values) with the slice's own
    /// Otsu threshold, or nil when the slice is flat or its fossil is too small (see below).
    public func describe(_ values: [Double], height: Int, width: Int, integral: Bool) throws -> [Float]? {
        guard !values.isEmpty, let t = try? Otsu.threshold(IntensityHistogram(values, integral: integral)) else { return nil }
        return try describe(values, height: height, width: width, threshold: t)
    }

    /// The descriptor of a `height` × `width` slice (row-major grey values) whose fossil is
    /// `value > threshold`, or nil when the fossil covers less than `minimumFraction` of it. Throws
    /// when the descriptor itself is invalid (`validate`).
    public func describe(_ values: [Double], height: Int, width: Int, threshold t: Double) throws -> [Float]? {
        guard values.count == height * width, !values.isEmpty else { return nil }
        var r0 = height, r1 = -1, c0 = width, c1 = -1, n = 0
        var top = -Double.infinity
        for r in 0..<height {
            for c in 0..<width where values[r * width + c] > t {
                n += 1
                r0 = min(r0, r); r1 = max(r1, r); c0 = min(c0, c); c1 = max(c1, c)
                top = max(top, values[r * width + c])
            }
        }
        let fraction = Double(n) / Double(values.count)
        guard n > 0, fraction >= minimumFraction else { return nil }
        let h = r1 - r0 + 1, w = c1 - c0 + 1
        var crop = [Float](repeating: 0, count: h * w), mask = [Float](repeating: 0, count: h * w)
        let lo = values.min()!, span = max(top - lo, 1e-12)
        for r in 0..<h {
            for c in 0..<w {
                let v = values[(r + r0) * width + c + c0]
                crop[r * w + c] = Float((v - lo) / span)
                mask[r * w + c] = v > t ? 1 : 0
            }
        }
        var out: [Float] = [Float(fraction)]

        var hist = [Float](repeating: 0, count: histogramBins)
        let inside = max(top - t, 1e-12)
        for i in mask.indices where mask[i] > 0 {
            let v = values[(i / w + r0) * width + i % w + c0]
            hist[min(histogramBins - 1, max(0, Int((v - t) / inside * Double(histogramBins))))] += 1
        }
        out += hist.map { $0 / Float(n) }

        let bank = try FeatureBank(spec: bankSpec)
        let features = bank.features(of: AnyBlock(Block(shape: Shape(z: 1, y: h, x: w), elements: crop)))
        let f = features.featureCount
        var sum = [Double](repeating: 0, count: f), sq = sum
        for i in mask.indices where mask[i] > 0 {
            for k in 0..<f {
                let v = Double(features.values[i * f + k])
                sum[k] += v; sq[k] += v * v
            }
        }
        for k in 0..<f {
            let mean = sum[k] / Double(n)
            out += [Float(mean), Float(max(0, sq[k] / Double(n) - mean * mean).squareRoot())]
        }

        out += HuMoments.logScaled(HuMoments.of(mask, height: h, width: w)).map { Float($0) }

        var cy = 0.0, cx = 0.0
        for i in mask.indices where mask[i] > 0 { cy += Double(i / w); cx += Double(i % w) }
        cy /= Double(n); cx /= Double(n)
        var far = 0.0
        for i in mask.indices where mask[i] > 0 { far = max(far, ((Double(i / w) - cy) * (Double(i / w) - cy) + (Double(i % w) - cx) * (Double(i % w) - cx)).squareRoot()) }
        far = max(far, 1)
        var ringAll = [Double](repeating: 0, count: radialBins), ringFossil = ringAll, ringGrey = ringAll
        for i in crop.indices {
            let d = ((Double(i / w) - cy) * (Double(i / w) - cy) + (Double(i % w) - cx) * (Double(i % w) - cx)).squareRoot()
            guard d <= far else { continue }
            let b = min(radialBins - 1, Int(d / far * Double(radialBins)))
            ringAll[b] += 1; ringFossil[b] += Double(mask[i]); ringGrey[b] += Double(crop[i])
        }
        out += (0..<radialBins).map { ringAll[$0] > 0 ? Float(ringFossil[$0] / ringAll[$0]) : 0 }
        out += (0..<radialBins).map { ringAll[$0] > 0 ? Float(ringGrey[$0] / ringAll[$0]) : 0 }

        // Perimeter: mask pixels' sides that face background (or the crop's edge).
        var perimeter = 0
        for r in 0..<h {
            for c in 0..<w where mask[r * w + c] > 0 {
                if r == 0 || mask[(r - 1) * w + c] == 0 { perimeter += 1 }
                if r == h - 1 || mask[(r + 1) * w + c] == 0 { perimeter += 1 }
                if c == 0 || mask[r * w + c - 1] == 0 { perimeter += 1 }
                if c == w - 1 || mask[r * w + c + 1] == 0 { perimeter += 1 }
            }
        }
        out.append(Float(Double(perimeter * perimeter) / Double(n)))

        let shape = MaskShape(mask, height: h, width: w)
        let filled = Double(max(1, shape.filledArea)), holeArea = Double(shape.holes.reduce(0, +))
        let holeMean = shape.holes.isEmpty ? 0 : holeArea / Double(shape.holes.count)
        let holeSD = shape.holes.isEmpty ? 0 : (shape.holes.reduce(0) { $0 + (Double($1) - holeMean) * (Double($1) - holeMean) } / Double(shape.holes.count)).squareRoot()
        let size = filled.squareRoot()
        out += [log(1 + Double(shape.pieces)), log(1 + Double(shape.holes.count)),
                log(1 + Double(shape.holes.filter { Double($0) >= 0.01 * filled }.count)),
                holeArea / filled, Double(shape.holes.first ?? 0) / filled, holeMean > 0 ? holeSD / holeMean : 0,
                Double(shape.area) / filled, 2 * shape.meanDepth / size, 2 * shape.maximumDepth / size, shape.roundness].map { Float($0) }
        out += HuMoments.logScaled(HuMoments.of(shape.filled, height: h, width: w)).map { Float($0) }
        precondition(out.count == count, "SliceDescriptor: \(out.count) values, expected \(count)")
        return out
    }
}
