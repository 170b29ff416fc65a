import TrowelML
import TrowelVolume

/// Predicts a block with a model: features over the box plus halo, forest probabilities (every
/// stage of an autocontext cascade). The halo makes block edges exact, so tiled predictions show
/// no seams.
public struct Predictor: Sendable {
    public let forest: RandomForest
    public let volume: MultiscaleVolume
    /// The random walker the model mixes into the forest's probabilities, if it adopted one.
    public let prior: WalkerPrior.Applied?

    public init(forest: RandomForest, volume: MultiscaleVolume, prior: WalkerPrior.Applied? = nil) {
        self.forest = forest
        self.volume = volume
        self.prior = prior
    }

    /// Class probabilities of `box` (clipped to the scan). For a 2D spec features are planar per
    /// slice, so a slice-thin box reads no neighbouring slices.
    public func predict(_ box: Box) throws -> ClassProbabilities {
        let bounds = volume.shape.box
        let region = box.intersection(bounds)
        guard !region.isEmpty else {
            return ClassProbabilities(shape: Shape(z: 0, y: 0, x: 0), classes: forest.classes, values: [])
        }
        let context = forest.contextBox(for: region, within: bounds)
        let block = try volume.read(context)
        let p = try forest.probabilities(of: block, in: region.translated(by: .zero - context.lower), firstSlice: context.lower.z)
        guard let prior else { return p }
        return prior.prior.apply(to: p, box: region, field: prior.field)
    }

    /// The most probable class id of every voxel of `box`.
    public func labels(_ box: Box) throws -> Block<UInt8> {
        try predict(box).labels
    }

    /// Boxes that tile `region` for prediction with bounded memory: whole slices (up to 1024² per
    /// tile) a few at a time for 2D features, 128³ blocks for 3D.
    public func tiles(covering region: Box, voxelBudget: Int = 1 << 21) -> [Box] {
        let planar = forest.spec.dimensionality == .planar
        let side = planar ? 1024 : 128
        let ty = min(side, region.shape.y), tx = min(side, region.shape.x)
        let tz = planar ? max(1, min(region.shape.z, voxelBudget / max(1, ty * tx))) : min(128, region.shape.z)
        var out: [Box] = []
        var z = region.lower.z
        while z < region.upper.z {
            var y = region.lower.y
            while y < region.upper.y {
                var x = region.lower.x
                while x < region.upper.x {
                    out.append(Box(lower: Index3(z: z, y: y, x: x),
                                   upper: Index3(z: min(z + tz, region.upper.z), y: min(y + ty, region.upper.y),
                                                 x: min(x + tx, region.upper.x))))
                    x += tx
                }
                y += ty
            }
            z += tz
        }
        return out
    }
}
