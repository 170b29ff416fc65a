import TrowelML
import TrowelVolume

/// Scores a model against a ground-truth label volume over a range of slices, tile by tile, so a
/// whole scan is evaluated in bounded memory. Only voxels whose truth is one of `classes` count.
public struct TruthEvaluation: Sendable {
    public let predictor: Predictor
    public let classes: [Int]

    public init(predictor: Predictor, classes: [Int]) {
        self.predictor = predictor
        self.classes = classes
    }

    /// Metrics of the model over slices `slices` of `truth` (named `file` in errors), which must
    /// have the scan's shape. `progress(done, total)` counts slices.
    public func run(truth: SliceSource, file: String, slices: Range<Int>,
                    progress: (Int, Int) -> Void = { _, _ in },
                    isCancelled: () -> Bool = { false }) throws -> Metrics {
        let shape = predictor.volume.shape
        guard truth.shape == shape else {
            throw LearningError.truthShape(file: file, found: truth.shape.description, expected: shape.description)
        }
        guard slices.lowerBound >= 0, slices.upperBound <= shape.z, !slices.isEmpty else {
            throw LearningError.sliceRange("\(slices.lowerBound):\(slices.upperBound)", depth: shape.z)
        }
        var matrix = ConfusionMatrix(classes: classes)
        let tiles = predictor.tiles(covering: Box(z: slices, y: 0..<shape.y, x: 0..<shape.x))
        // Tiles come slab by slab; read each slab of truth once.
        var slab: (range: Range<Int>, labels: Block<UInt8>)?
        for tile in tiles {
            if isCancelled() { throw LearningError.cancelled }
            let zr = tile.range(.z)
            if slab?.range != zr {
                let values = try truth.readSlices(zr).converted(to: Double.self)
                var labels = [UInt8](repeating: 0, count: values.elements.count)
                for (i, v) in values.elements.enumerated() {
                    guard v >= 0, v <= 255, v == v.rounded() else { throw LearningError.truthValue(file: file, value: v) }
                    labels[i] = UInt8(v)
                }
                slab = (zr, Block(shape: values.shape, elements: labels))
                progress(zr.lowerBound - slices.lowerBound, slices.count)
            }
            let truthTile = slab!.labels.cropped(to: tile.translated(by: Index3(z: -zr.lowerBound, y: 0, x: 0)))
            let predicted = try predictor.labels(tile)
            matrix.add(truth: truthTile.elements, predicted: predicted.elements)
        }
        progress(slices.count, slices.count)
        return matrix.metrics
    }
}
