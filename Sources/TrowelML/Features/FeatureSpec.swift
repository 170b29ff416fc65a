import Foundation
import TrowelVolume

/// What features a model sees: filters, scales, 2D or 3D, and how raw voxels are scaled first.
/// Saved with every model (binary and JSON) so a model is always applied to the features it learned.
public struct FeatureSpec: Hashable, Sendable, Codable, CustomStringConvertible {
    /// One filter of the bank. Each yields one or more features per scale, in this order.
    public enum Filter: String, Hashable, Sendable, Codable, CaseIterable {
        /// Gaussian smoothing (scikit-image `intensity`).
        case intensity
        /// Sobel gradient magnitude of the smoothed image (scikit-image `edges`).
        case edges
        /// Eigenvalues of the Hessian of the smoothed image, largest first (scikit-image `texture`).
        case hessianEigenvalues
        /// Laplacian of Gaussian: the trace of the same Hessian (ilastik).
        case laplacianOfGaussian
        /// Difference of Gaussians, G(σ) − G(0.66σ) (ilastik).
        case differenceOfGaussians
        /// Eigenvalues of the structure tensor, gradient at σ smoothed at 0.5σ, largest first (ilastik).
        case structureTensorEigenvalues

        /// Features this filter yields per scale in `dimensions` (2 or 3) spatial dimensions.
        public func featureCount(dimensions: Int) -> Int {
            switch self {
            case .intensity, .edges, .laplacianOfGaussian, .differenceOfGaussians: return 1
            case .hessianEigenvalues, .structureTensorEigenvalues: return dimensions
            }
        }
    }

    /// Whether filters run within each z-slice (2D) or across the volume (3D).
    public enum Dimensionality: String, Hashable, Sendable, Codable {
        case planar, volumetric

        /// Number of filtered spatial axes.
        public var count: Int { self == .planar ? 2 : 3 }
    }

    /// How raw voxel values become the floats filters see.
    public enum Normalization: Hashable, Sendable, Codable, CustomStringConvertible {
        /// As scikit-image's `img_as_float`: unsigned integers divided by their maximum (u8 → /255),
        /// signed integers mapped from their full range to [0, 1], floats unchanged.
        case dtypeRange
        /// Linear map of `lower...upper` (e.g. the scan's 0.5 and 99.5 percentiles) to 0...1, not clipped.
        case window(lower: Double, upper: Double)
        /// Values used as they are.
        case identity
        /// The scan's 0.5 and 99.5 percentiles (as recorded at import) mapped to 0...1, and values
        /// outside clipped to 0 or 1: what the reference does for 16-bit and HU scans, so that a few
        /// extreme voxels (metal, air, a bright grain) do not decide the scale.
        case clippedWindow(lower: Double, upper: Double)
        /// A clipped window per scan slice (its 0.5 and 99.5 percentiles, say): brightness that
        /// drifts along z is taken out before filtering. Slices beyond the lists use the nearest end.
        case sliceWindows(lower: [Double], upper: [Double])

        /// True when normalised values are clipped to 0...1.
        public var clips: Bool {
            switch self {
            case .clippedWindow, .sliceWindows: return true
            default: return false
            }
        }

        /// True when the window depends on the slice.
        public var isPerSlice: Bool {
            if case .sliceWindows = self { return true }
            return false
        }

        /// (scale, offset) for scan slice `z`: the slice's own window for `.sliceWindows`, else `affine(for:)`.
        public func affine(for dtype: DType, slice z: Int) -> (scale: Double, offset: Double) {
            guard case .sliceWindows(let lower, let upper) = self, !lower.isEmpty, lower.count == upper.count else {
                return affine(for: dtype)
            }
            let i = min(max(0, z), lower.count - 1)
            return Normalization.clippedWindow(lower: lower[i], upper: upper[i]).affine(for: dtype)
        }

        public var description: String {
            switch self {
            case .dtypeRange: return "dtype range"
            case .window(let lo, let hi): return "window \(lo)...\(hi)"
            case .clippedWindow(let lo, let hi): return "window \(lo)...\(hi) clipped"
            case .sliceWindows(let lower, _): return "per-slice windows (\(lower.count) slices) clipped"
            case .identity: return "identity"
            }
        }

        /// (scale, offset) so that normalised = raw × scale + offset, for data of `dtype`.
        public func affine(for dtype: DType) -> (scale: Double, offset: Double) {
            switch self {
            case .identity:
                return (1, 0)
            case .window(let lo, let hi), .clippedWindow(let lo, let hi):
                let width = hi - lo
                return width != 0 ? (1 / width, -lo / width) : (1, -lo)
            case .sliceWindows(let lower, let upper):
                // Without a slice: the middle slice's window.
                guard !lower.isEmpty else { return (1, 0) }
                return Normalization.clippedWindow(lower: lower[lower.count / 2], upper: upper[upper.count / 2]).affine(for: dtype)
            case .dtypeRange:
                guard let range = dtype.integerRange else { return (1, 0) }
                if range.lowerBound == 0 { return (1 / range.upperBound, 0) }
                let width = range.upperBound - range.lowerBound
                return (1 / width, -range.lowerBound / width)
            }
        }
    }

    /// One cell of the filter × scale grid that is left out (ilastik's feature-selection grid).
    public struct Omission: Hashable, Sendable, Codable {
        public var filter: Filter
        public var sigma: Double
        public init(_ filter: Filter, at sigma: Double) {
            self.filter = filter
            self.sigma = sigma
        }
    }

    /// Filters, in the order their features appear within each scale.
    public var filters: [Filter]
    /// Gaussian scales σ in voxels, in the order their feature groups appear.
    public var sigmas: [Double]
    public var dimensionality: Dimensionality
    public var normalization: Normalization
    /// The normalised voxel value itself (σ 0) as feature 0. Every σ ≥ 1 smooths a sharp bone edge
    /// away; on a real skull CT this one feature raised bone F1 from 0.973 to 0.9997.
    public var includesRaw: Bool
    /// Filter × scale cells not computed; every other combination of `filters` and `sigmas` is.
    public var omitted: [Omission]

    public init(filters: [Filter] = [.intensity, .edges, .hessianEigenvalues],
                sigmas: [Double], dimensionality: Dimensionality = .planar,
                normalization: Normalization = .dtypeRange, includesRaw: Bool = false,
                omitted: [Omission] = []) {
        self.filters = filters
        self.sigmas = sigmas
        self.dimensionality = dimensionality
        self.normalization = normalization
        self.includesRaw = includesRaw
        self.omitted = omitted
    }

    enum CodingKeys: String, CodingKey {
        case filters, sigmas, dimensionality, normalization, includesRaw, omitted
    }

    /// Model files written before `includesRaw` and `omitted` existed decode with neither.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        filters = try c.decode([Filter].self, forKey: .filters)
        sigmas = try c.decode([Double].self, forKey: .sigmas)
        dimensionality = try c.decode(Dimensionality.self, forKey: .dimensionality)
        normalization = try c.decode(Normalization.self, forKey: .normalization)
        includesRaw = try c.decodeIfPresent(Bool.self, forKey: .includesRaw) ?? false
        omitted = try c.decodeIfPresent([Omission].self, forKey: .omitted) ?? []
    }

    /// The filters computed at scale `index`, in feature order.
    public func filters(atScale index: Int) -> [Filter] {
        if omitted.isEmpty { return filters }
        let sigma = sigmas[index]
        return filters.filter { f in !omitted.contains { $0.filter == f && $0.sigma == sigma } }
    }

    /// Index of the first feature of scale `index` (after the raw feature, if any).
    public func firstFeature(ofScale index: Int) -> Int {
        var n = includesRaw ? 1 : 0
        for i in 0..<index { n += featureCount(ofScale: i) }
        return n
    }

    /// Features of scale `index`.
    public func featureCount(ofScale index: Int) -> Int {
        filters(atScale: index).reduce(0) { $0 + $1.featureCount(dimensions: dimensionality.count) }
    }

    /// scikit-image's σ series: `sigmaMin × 2^k`, log2-spaced, `int(log2(max) − log2(min) + 1)` values.
    public static func sigmaSeries(from sigmaMin: Double, to sigmaMax: Double) -> [Double] {
        let lo = Foundation.log2(sigmaMin), hi = Foundation.log2(sigmaMax)
        let count = Int(hi - lo + 1)
        if count <= 1 { return [sigmaMin] }
        return (0..<count).map { Foundation.pow(2, lo + (hi - lo) * Double($0) / Double(count - 1)) }
    }

    /// scikit-image `multiscale_basic_features(sigma_min:, sigma_max:)`: intensity, edges and Hessian
    /// eigenvalues at each scale. `FeatureSpec.basic()` is ml4paleo's default (σ 1…32, 24 features in 2D).
    public static func basic(sigmaMin: Double = 1, sigmaMax: Double = 32,
                             dimensionality: Dimensionality = .planar,
                             normalization: Normalization = .dtypeRange) -> FeatureSpec {
        FeatureSpec(sigmas: sigmaSeries(from: sigmaMin, to: sigmaMax),
                    dimensionality: dimensionality, normalization: normalization)
    }

    /// ilastik's pixel-classification bank: Gaussian, LoG, gradient magnitude, DoG, structure-tensor
    /// and Hessian eigenvalues at σ 0.7, 1, 1.6, 3.5, 5, 10 (its default grid without σ 0.3).
    public static func ilastik(sigmas: [Double] = [0.7, 1, 1.6, 3.5, 5, 10],
                               dimensionality: Dimensionality = .planar,
                               normalization: Normalization = .dtypeRange, includesRaw: Bool = false) -> FeatureSpec {
        FeatureSpec(filters: [.intensity, .laplacianOfGaussian, .edges, .differenceOfGaussians,
                              .structureTensorEigenvalues, .hessianEigenvalues],
                    sigmas: sigmas, dimensionality: dimensionality, normalization: normalization,
                    includesRaw: includesRaw)
    }

    /// Features per voxel.
    public var featureCount: Int {
        (0..<sigmas.count).reduce(includesRaw ? 1 : 0) { $0 + featureCount(ofScale: $1) }
    }

    /// A short name per feature, e.g. `"hessianEigenvalues[1] σ=4"`, in feature order.
    public var featureNames: [String] {
        var names: [String] = includesRaw ? ["raw"] : []
        for (index, sigma) in sigmas.enumerated() {
            let s = FeatureSpec.label(sigma)
            for filter in filters(atScale: index) {
                let n = filter.featureCount(dimensions: dimensionality.count)
                for k in 0..<n {
                    names.append(n == 1 ? "\(filter.rawValue) σ=\(s)" : "\(filter.rawValue)[\(k)] σ=\(s)")
                }
            }
        }
        return names
    }

    /// A scale as people write it: "2", "0.5".
    public static func label(_ sigma: Double) -> String {
        sigma == sigma.rounded() ? String(Int(sigma)) : String(sigma)
    }

    /// Radius of scipy's truncated Gaussian kernel for `sigma` (truncate 4): `int(4σ + 0.5)`.
    public static func kernelRadius(_ sigma: Double) -> Int { Int(4 * sigma + 0.5) }

    /// Voxels of context each side that a feature depends on: ceil(4·σmax) for the Gaussian plus
    /// 2 for the Hessian's two difference stencils (more with the structure tensor). Blocks computed
    /// with this halo give exactly the whole-volume features.
    public var halo: Int {
        var h = 0
        for (index, sigma) in sigmas.enumerated() {
            let r = FeatureSpec.kernelRadius(sigma)
            for filter in filters(atScale: index) {
                switch filter {
                case .intensity, .differenceOfGaussians: h = max(h, r)
                case .edges: h = max(h, r + 1)
                case .hessianEigenvalues, .laplacianOfGaussian: h = max(h, r + 2)
                case .structureTensorEigenvalues: h = max(h, r + 1 + FeatureSpec.kernelRadius(0.5 * sigma))
                }
            }
        }
        return h
    }

    /// Checks the spec can be computed; the message names the problem.
    public func validate() throws {
        if filters.isEmpty { throw FeatureSpecError("no filters") }
        if sigmas.isEmpty { throw FeatureSpecError("no scales") }
        if let bad = sigmas.first(where: { !($0 > 0 && $0.isFinite) }) {
            throw FeatureSpecError("scale σ=\(bad) is not a positive number")
        }
        if Set(filters).count != filters.count { throw FeatureSpecError("a filter is listed twice") }
        if Set(sigmas).count != sigmas.count { throw FeatureSpecError("a scale is listed twice") }
        if (0..<sigmas.count).contains(where: { featureCount(ofScale: $0) == 0 }) {
            throw FeatureSpecError("a scale has every filter omitted")
        }
    }

    public var description: String {
        let s = sigmas.map(FeatureSpec.label).joined(separator: ",")
        let raw = includesRaw ? "raw+" : ""
        let gaps = omitted.isEmpty ? "" : " less \(omitted.count) filter×σ"
        return "\(dimensionality.count)D \(raw)\(filters.map(\.rawValue).joined(separator: "+")) σ=\(s)\(gaps) (\(featureCount) features, \(normalization))"
    }
}

/// A feature specification that cannot be computed, e.g. a negative σ.
public struct FeatureSpecError: Error, CustomStringConvertible, Equatable {
    public let message: String
    init(_ message: String) { self.message = message }
    public var description: String { "feature specification: \(message)" }
}
