import TrowelVolume

/// The random-forest segmenter: features from a `FeatureBank`, a `RandomForest` on top.
public struct ForestSegmenter: Segmenter {
    public let bank: FeatureBank
    public var configuration: ForestConfiguration
    /// Names for class ids (ids not listed are called "class <id>").
    public var classTable: [ClassInfo]
    /// The trained forest, nil before the first `fit`.
    public private(set) var forest: RandomForest?

    public init(spec: FeatureSpec, configuration: ForestConfiguration = ForestConfiguration(),
                classTable: [ClassInfo] = []) throws {
        bank = try FeatureBank(spec: spec)
        self.configuration = configuration
        self.classTable = classTable
    }

    /// A segmenter around an already trained (e.g. loaded) forest.
    public init(forest: RandomForest) throws {
        bank = try FeatureBank(spec: forest.spec)
        configuration = forest.configuration
        classTable = forest.classes
        self.forest = forest
    }

    public var featureSpec: FeatureSpec { bank.spec }
    public var classes: [ClassInfo] { forest?.classes ?? [] }

    /// Trains on features computed sparsely at the labelled voxels of every example.
    public mutating func fit(_ examples: [LabelledBlock]) throws {
        var features: [Float] = []
        var labels: [UInt8] = []
        for example in examples {
            let voxels = example.labelledVoxels
            if voxels.isEmpty { continue }
            features += bank.features(at: voxels, of: example.image)
            labels += voxels.map { example.labels[$0] }
        }
        let samples = try TrainingSamples(featureCount: bank.featureCount, features: features, labels: labels)
        forest = try RandomForest.train(on: samples, spec: bank.spec, classTable: classTable, configuration: configuration)
    }

    public func probabilities(of image: AnyBlock, in region: Box? = nil) throws -> ClassProbabilities {
        guard let forest else { throw SegmenterError.notTrained }
        return try forest.probabilities(of: image, in: region ?? image.shape.box)
    }
}
