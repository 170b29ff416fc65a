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

        public var description: String {
            switch self {
            case .dtypeRange: return "dtype range"
            case .window(let lo, let hi): return "window \(lo)...\(hi)"
            case .identity: return "identity"
            }
        }

        /// (scale, offset) so that normalised = raw × scale + offset, for data of `dtype`.
        public func affine(for dtype: DType) -> (scale: Double, offset: Double) {
            switch self {
            case .identity:
                return (1, 0)
            case .window(let lo, let hi):
                let width = hi - lo
                return width != 0 ? (1 / width, -lo / width) : (1, -lo)
            case .dtypeRange:
                guard let range = dtype.integerRange else { return (1, 0) }
                if range.lowerBound == 0 { return (1 / range.upperBound, 0) }
                let width = range.upperBound - range.lowerBound
                return (1 / width, -range.lowerBound / width)
            }
        }
    }

    /// Filters, in the order their features appear within each scale.
    public var filters: [Filter]
    /// Gaussian scales σ in voxels, in the order their feature groups appear.
    public var sigmas: [Double]
    public var dimensionality: Dimensionality
    public var normalization: Normalization

    public init(filters: [Filter] = [.intensity, .edges, .hessianEigenvalues],
                sigmas: [Double], dimensionality: Dimensionality = .planar,
                normalization: Normalization = .dtypeRange) {
        self.filters = filters
        self.sigmas = sigmas
        self.dimensionality = dimensionality
        self.normalization = normalization
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

    /// Features per voxel.
    public var featureCount: Int {
        sigmas.count * featuresPerScale
    }

    /// Features per σ.
    public var featuresPerScale: Int {
        filters.reduce(0) { $0 + $1.featureCount(dimensions: dimensionality.count) }
    }

    /// A short name per feature, e.g. `"hessianEigenvalues[1] σ=4"`, in feature order.
    public var featureNames: [String] {
        var names: [String] = []
        for sigma in sigmas {
            let s = sigma == sigma.rounded() ? String(Int(sigma)) : String(sigma)
            for filter in filters {
                let n = filter.featureCount(dimensions: dimensionality.count)
                for k in 0..<n {
                    names.append(n == 1 ? "\(filter.rawValue) σ=\(s)" : "\(filter.rawValue)[\(k)] σ=\(s)")
                }
            }
        }
        return names
    }

    /// Radius of scipy's truncated Gaussian kernel for `sigma` (truncate 4): `int(4σ + 0.5)`.
    public static func kernelRadius(_ sigma: Double) -> Int { Int(4 * sigma + 0.5) }

    /// Voxels of context each side that a feature depends on: ceil(4·σmax) for the Gaussian plus
    /// 2 for the Hessian's two difference stencils (more with the structure tensor). Blocks computed
    /// with this halo give exactly the whole-volume features.
    public var halo: Int {
        var h = 0
        for sigma in sigmas {
            let r = FeatureSpec.kernelRadius(sigma)
            for filter in filters {
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
    }

    public var description: String {
        let s = sigmas.map { $0 == $0.rounded() ? String(Int($0)) : String($0) }.joined(separator: ",")
        return "\(dimensionality.count)D \(filters.map(\.rawValue).joined(separator: "+")) σ=\(s) (\(featureCount) features, \(normalization))"
    }
}

/// A feature specification that cannot be computed, e.g. a negative σ.
public struct FeatureSpecError: Error, CustomStringConvertible, Equatable {
    public let message: String
    init(_ message: String) { self.message = message }
    public var description: String { "feature specification: \(message)" }
}
