import TrowelML
import TrowelVolume

/// A way to train a model, independent of any scan: which feature bank, its scales, 2D or 3D, how
/// voxels are normalised, and the forest. `spec(for:)` turns it into the exact features for one
/// project (the normalisation window comes from the scan's recorded percentiles). The default and
/// the candidates `trowel train --auto` compares are recipes, and so are the rows of
/// `trowel-bench quality`, so the benchmark measures exactly what users get.
public struct TrainingRecipe: Hashable, Sendable, Codable, CustomStringConvertible {
    /// Which filters the features use.
    public enum Bank: String, Hashable, Sendable, Codable, CaseIterable {
        /// scikit-image's `multiscale_basic_features`: Gaussian, gradient magnitude, Hessian eigenvalues.
        case basic
        /// ilastik's six families: Gaussian, LoG, gradient magnitude, DoG, structure tensor, Hessian.
        case ilastik
    }

    /// How raw voxel values are scaled before filtering.
    public enum Scaling: String, Hashable, Sendable, Codable {
        /// scikit-image's `img_as_float` (u8 / 255; signed integers from their full range).
        case dtypeRange
        /// The scan's 0.5 and 99.5 percentiles to 0…1, clipped (the reference's choice for 16-bit CT).
        case percentiles
        /// Each slice's own 0.5 and 99.5 percentiles (smoothed along z) to 0…1, clipped: takes out
        /// brightness that drifts from slice to slice.
        case slicePercentiles
    }

    /// A short name for tables and `--auto` reports, e.g. "basic σ0.5–16 +raw".
    public var name: String
    public var bank: Bank
    /// Gaussian scales: scikit-image's log2 series from `sigmaMin` to `sigmaMax` for `.basic`;
    /// for `.ilastik`, its grid's scales within `sigmaMin...sigmaMax`.
    public var sigmaMin: Double
    public var sigmaMax: Double
    public var includesRaw: Bool
    public var dimensionality: FeatureSpec.Dimensionality
    public var scaling: Scaling
    public var forest: ForestConfiguration
    /// Autocontext stages (1: one forest); later stages also read the earlier one's smoothed probabilities.
    public var stages: Int
    /// Scales of those smoothed probabilities.
    public var contextSigmas: [Double]

    public init(name: String, bank: Bank = .basic, sigmaMin: Double = 0.5, sigmaMax: Double = 16, includesRaw: Bool = true,
                dimensionality: FeatureSpec.Dimensionality = .planar, scaling: Scaling = .percentiles,
                forest: ForestConfiguration = TrainingRecipe.interactiveForest, stages: Int = 1,
                contextSigmas: [Double] = Autocontext.defaultSigmas) {
        self.name = name
        self.bank = bank
        self.sigmaMin = sigmaMin
        self.sigmaMax = sigmaMax
        self.includesRaw = includesRaw
        self.dimensionality = dimensionality
        self.scaling = scaling
        self.forest = forest
        self.stages = stages
        self.contextSigmas = contextSigmas
    }

    /// ml4paleo's forest (50 trees, depth 12, unweighted) with samples capped at 100 000
    /// (stratified). ml4paleo keeps every labelled voxel; a 30 000 cap lost 0.01–0.1 F1 on real
    /// scans with densely labelled slices, 100 000 kept training near a second on 2 cores.
    public static let interactiveForest = ForestConfiguration(maxSamples: 100_000)

    /// Samples `trowel train` keeps at most, where no one waits on an overlay: ml4paleo keeps every
    /// labelled voxel, and on the thin-bone scan the 100 000 cap cost 0.004 F1 against 1 000 000.
    public static let headlessSampleCap = 1_000_000

    /// The candidates as `trowel train` compares them: with the headless sample cap.
    public static var headlessCandidates: [TrainingRecipe] {
        candidates.map { c in
            var c = c
            c.forest.maxSamples = headlessSampleCap
            return c
        }
    }

    /// ilastik's default scales (without its σ 0.3, which only smooths).
    public static let ilastikScales: [Double] = [0.7, 1, 1.6, 3.5, 5, 10]

    /// Gaussian scales σ of this recipe.
    public var sigmas: [Double] {
        switch bank {
        case .basic: return FeatureSpec.sigmaSeries(from: sigmaMin, to: sigmaMax)
        case .ilastik: return Self.ilastikScales.filter { $0 >= sigmaMin && $0 <= sigmaMax }
        }
    }

    /// The features for a scan whose values are summarised by `values` (of type `dtype`). Without
    /// a summary, or for a flat scan (no window), the percentiles recipe falls back to the dtype range.
    public func spec(dtype: DType, values: ValueSummary?) -> FeatureSpec {
        var normalization = FeatureSpec.Normalization.dtypeRange
        if scaling != .dtypeRange, let values, values.high > values.low {
            normalization = .clippedWindow(lower: values.low, upper: values.high)
        }
        switch bank {
        case .basic:
            return FeatureSpec(sigmas: sigmas, dimensionality: dimensionality, normalization: normalization,
                               includesRaw: includesRaw)
        case .ilastik:
            return .ilastik(sigmas: sigmas, dimensionality: dimensionality, normalization: normalization,
                            includesRaw: includesRaw)
        }
    }

    /// The features for the project's scan, for recipes whose scaling needs only the project's
    /// record (per-slice windows fall back to the scan's percentiles here; see `spec(for:volume:)`).
    public func spec(for record: ProjectRecord) -> FeatureSpec {
        spec(dtype: DType(rawValue: record.dtype) ?? .u8, values: record.values)
    }

    /// The features for the project's scan `volume`, per-slice windows measured on it when the recipe asks.
    public func spec(for project: Project, volume: MultiscaleVolume) throws -> FeatureSpec {
        var result = spec(for: try project.record())
        if scaling == .slicePercentiles {
            let windows = try SliceWindows.measured(volume)
            result.normalization = .sliceWindows(lower: windows.lower, upper: windows.upper)
        }
        return result
    }

    public var description: String { name }

    // MARK: - The recipes

    /// What the viewer and `trowel train` use unless told otherwise: chosen by `trowel-bench quality`
    /// against the reference on the generated hard-fossil suite and real CT (see README).
    public static let standard = TrainingRecipe(name: "basic σ0.5–16 +raw")

    /// ml4paleo's own method: scikit-image's bank at σ 1…32, dtype range, no raw feature.
    public static let ml4paleo = TrainingRecipe(name: "ml4paleo σ1–32", sigmaMin: 1, sigmaMax: 32, includesRaw: false, scaling: .dtypeRange,
                                                forest: ForestConfiguration(maxSamples: 1_000_000))

    /// Trowel's default before issue 10: σ 1…16, balanced class weights, dtype range.
    public static let previousDefault = TrainingRecipe(
        name: "old default (balanced σ1–16)", sigmaMin: 1, includesRaw: false, scaling: .dtypeRange,
        forest: ForestConfiguration(classWeighting: .balanced, maxSamples: 30_000))

    /// The configurations `trowel train --auto` compares by held-out F1. 3D features stop at σ 4
    /// so their halo (18 slices) still lets labelled slices ~20 apart be held out and scored.
    /// Per-slice windows are for scans whose brightness drifts along z (held-out slices then
    /// score far higher with them; on the z-drift scan 0.15 → 0.996).
    public static let candidates: [TrainingRecipe] = [
        standard,
        TrainingRecipe(name: "basic σ0.5–16 +raw autocontext", stages: 2),
        TrainingRecipe(name: "ilastik σ0.7–10 +raw", bank: .ilastik, sigmaMin: 0.7, sigmaMax: 10),
        TrainingRecipe(name: "basic σ1–4 +raw 3D", sigmaMin: 1, sigmaMax: 4, dimensionality: .volumetric),
        TrainingRecipe(name: "basic σ0.5–16 +raw per-slice", scaling: .slicePercentiles),
    ]
}
