import TrowelVolume

/// The earlier stage of an autocontext cascade (ilastik's two-stage pixel classification): its
/// forest predicts class probabilities, and this forest adds features of those probability maps
/// (the map itself and Gaussian smoothings of it, per class but the last, whose map the others
/// determine) to its own image features. A stage sees where the previous one thinks bone is
/// around each voxel, which lets it fill holes and drop isolated false positives.
public final class Autocontext: Sendable {
    /// The previous stage (itself possibly with an earlier stage).
    public let stage: RandomForest
    /// Features of each probability map: raw value and Gaussian smoothings, in the image features'
    /// dimensionality (so a 2D model never reads neighbouring slices).
    public var spec: FeatureSpec { bank.spec }
    /// The bank that computes `spec`.
    let bank: FeatureBank

    /// Scales the smoothed probabilities use unless told otherwise; σ 8 reaches 32 voxels, enough
    /// to see the shape of a bone around a voxel, and keeps the added halo well under a block.
    public static let defaultSigmas: [Double] = [1, 2, 4, 8]

    /// Throws `FeatureSpecError` for scales that cannot be computed (none, negative, repeated).
    public init(stage: RandomForest, sigmas: [Double] = Autocontext.defaultSigmas) throws {
        self.stage = stage
        bank = try FeatureBank(spec: Self.spec(sigmas: sigmas, dimensionality: stage.spec.dimensionality))
    }

    /// The feature specification applied to each probability map.
    public static func spec(sigmas: [Double], dimensionality: FeatureSpec.Dimensionality) -> FeatureSpec {
        FeatureSpec(filters: [.intensity], sigmas: sigmas, dimensionality: dimensionality, normalization: .identity,
                    includesRaw: true)
    }

    /// Scales of the smoothed probabilities.
    public var sigmas: [Double] { spec.sigmas }

    /// Probability maps used: every class but the last.
    public var channelCount: Int { max(1, stage.classes.count - 1) }

    /// Features this stage adds to the image features.
    public var featureCount: Int { channelCount * spec.featureCount }

    /// Names of the added features, e.g. "P(bone) σ=2".
    public var featureNames: [String] {
        var names: [String] = []
        for c in 0..<channelCount {
            let name = stage.classes.indices.contains(c) ? stage.classes[c].name : "class \(c)"
            for sigma in [0] + spec.sigmas {
                names.append(sigma == 0 ? "P(\(name))" : "P(\(name)) σ=\(FeatureSpec.label(sigma))")
            }
        }
        return names
    }

    /// Stages in the cascade up to and including the previous one.
    public var depth: Int { stage.stageCount }

    /// The added features of the voxels of `region` (relative to `probabilities`), using the rest
    /// of the probability block as context, voxel-major. Equal to the whole-volume features when
    /// the block covers `region` grown by `spec.halo` (clipped to the volume).
    public func features(of probabilities: ClassProbabilities, in region: Box) -> FeatureImage {
        let per = spec.featureCount, total = featureCount
        var out = [Float](repeating: 0, count: region.shape.voxelCount * total)
        for c in 0..<channelCount {
            let map = probabilities.probability(ofClass: min(c, probabilities.classes.count - 1))
            let image = bank.features(of: .f32(map), in: region)
            image.values.withUnsafeBufferPointer { src in
                out.withUnsafeMutableBufferPointer { dst in
                    for v in 0..<region.shape.voxelCount {
                        (dst.baseAddress! + v * total + c * per).update(from: src.baseAddress! + v * per, count: per)
                    }
                }
            }
        }
        return FeatureImage(shape: region.shape, featureCount: total, values: out)
    }
}
