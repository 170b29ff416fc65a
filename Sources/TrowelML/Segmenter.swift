import TrowelVolume

/// An image block with some voxels labelled (0 = unlabelled, else a class id): one annotated slice,
/// patch or block to learn from.
public struct LabelledBlock: Sendable {
    public var image: AnyBlock
    public var labels: Block<UInt8>

    public init(image: AnyBlock, labels: Block<UInt8>) {
        precondition(image.shape == labels.shape, "LabelledBlock: image \(image.shape) but labels \(labels.shape)")
        self.image = image
        self.labels = labels
    }

    /// Positions of the labelled voxels, in C order.
    public var labelledVoxels: [Index3] {
        var out: [Index3] = []
        let s = labels.shape
        for (i, l) in labels.elements.enumerated() where l != 0 {
            out.append(Index3(z: i / (s.y * s.x), y: (i / s.x) % s.y, x: i % s.x))
        }
        return out
    }
}

/// The seam a segmentation model plugs into (ml4paleo's `Segmenter3D`): it learns from labelled
/// voxels and gives class probabilities for a block. The random forest is the first implementation.
public protocol Segmenter: Sendable {
    /// The features the model reads; its halo says how much context a block needs around it.
    var featureSpec: FeatureSpec { get }
    /// Classes in the order of the probabilities.
    var classes: [ClassInfo] { get }
    /// Learns from the labelled voxels of `examples`, replacing what was learnt before.
    mutating func fit(_ examples: [LabelledBlock]) throws
    /// Class probabilities for the voxels of `region` of `image` (all of it if nil). For results that
    /// match the whole volume, `image` should cover `region` grown by the feature halo.
    func probabilities(of image: AnyBlock, in region: Box?) throws -> ClassProbabilities
}

/// Why a segmenter cannot predict yet.
public enum SegmenterError: Error, Equatable, CustomStringConvertible {
    case notTrained

    public var description: String {
        switch self {
        case .notTrained: return "segmenter: not trained yet; paint some voxels of each class first"
        }
    }
}
