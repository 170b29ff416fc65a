import TrowelVolume

/// Features of every voxel of a block, voxel-major: the `featureCount` values of a voxel are adjacent,
/// so a tree reads one voxel's features from one or two cache lines.
public struct FeatureImage: Sendable {
    /// Voxels covered, (z, y, x).
    public var shape: Shape
    /// Features per voxel.
    public var featureCount: Int
    /// `values[voxel * featureCount + feature]`, voxels in C order.
    public var values: [Float]

    public init(shape: Shape, featureCount: Int, values: [Float]) {
        precondition(values.count == shape.voxelCount * featureCount,
                     "FeatureImage: \(values.count) values for \(shape) × \(featureCount)")
        self.shape = shape
        self.featureCount = featureCount
        self.values = values
    }

    /// A zero-filled image.
    public init(shape: Shape, featureCount: Int) {
        self.init(shape: shape, featureCount: featureCount,
                  values: [Float](repeating: 0, count: shape.voxelCount * featureCount))
    }

    public var voxelCount: Int { shape.voxelCount }

    /// Bytes held by the feature values.
    public var byteCount: Int { values.count * MemoryLayout<Float>.stride }

    /// Feature `feature` of the voxel at (z, y, x).
    @inlinable
    public subscript(z: Int, y: Int, x: Int, feature: Int) -> Float {
        values[shape.offset(z: z, y: y, x: x) * featureCount + feature]
    }

    /// One feature over the whole block, as a block (for display or tests).
    public func plane(_ feature: Int) -> Block<Float> {
        precondition(feature >= 0 && feature < featureCount, "FeatureImage: no feature \(feature)")
        var out = [Float](repeating: 0, count: voxelCount)
        values.withUnsafeBufferPointer { src in
            for v in 0..<out.count { out[v] = src[v * featureCount + feature] }
        }
        return Block(shape: shape, elements: out)
    }

    /// The part `box` (relative to this image) as a new image.
    public func cropped(to box: Box) -> FeatureImage {
        precondition(shape.box.contains(box), "FeatureImage: \(box) outside \(shape)")
        let f = featureCount
        var out = [Float](repeating: 0, count: box.shape.voxelCount * f)
        let rowLength = box.shape.x * f
        values.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                var d = 0
                for z in box.range(.z) {
                    for y in box.range(.y) {
                        let s = shape.offset(z: z, y: y, x: box.lower.x) * f
                        (dst.baseAddress! + d).update(from: src.baseAddress! + s, count: rowLength)
                        d += rowLength
                    }
                }
            }
        }
        return FeatureImage(shape: box.shape, featureCount: f, values: out)
    }

    /// The features of the voxels at `offsets` (C-order voxel offsets), as rows of a sample matrix.
    public func rows(at offsets: [Int]) -> [Float] {
        let f = featureCount
        var out = [Float](repeating: 0, count: offsets.count * f)
        values.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for (i, o) in offsets.enumerated() {
                    precondition(o >= 0 && o < voxelCount, "FeatureImage: voxel offset \(o) outside \(shape)")
                    (dst.baseAddress! + i * f).update(from: src.baseAddress! + o * f, count: f)
                }
            }
        }
        return out
    }
}
