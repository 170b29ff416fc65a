import TrowelVolume

/// Per-voxel class probabilities of a block, voxel-major (`values[voxel * classes.count + k]`),
/// with the label map and ilastik's uncertainty derived from them.
public struct ClassProbabilities: Sendable {
    public var shape: Shape
    public var classes: [ClassInfo]
    public var values: [Float]

    public init(shape: Shape, classes: [ClassInfo], values: [Float]) {
        precondition(values.count == shape.voxelCount * classes.count, "ClassProbabilities: size mismatch")
        self.shape = shape
        self.classes = classes
        self.values = values
    }

    /// Probability of class index `k` (into `classes`) for every voxel.
    public func probability(ofClass k: Int) -> Block<Float> {
        let n = classes.count
        var out = [Float](repeating: 0, count: shape.voxelCount)
        values.withUnsafeBufferPointer { v in
            for i in 0..<out.count { out[i] = v[i * n + k] }
        }
        return Block(shape: shape, elements: out)
    }

    /// The most probable class id per voxel (ties go to the earlier class, as numpy's argmax).
    public var labels: Block<UInt8> {
        let n = classes.count
        var out = [UInt8](repeating: 0, count: shape.voxelCount)
        if n == 0 { return Block(shape: shape, elements: out) }
        values.withUnsafeBufferPointer { v in
            for i in 0..<out.count {
                var best = 0
                var p = v[i * n]
                for c in 1..<max(1, n) where v[i * n + c] > p {
                    best = c
                    p = v[i * n + c]
                }
                out[i] = classes[best].id
            }
        }
        return Block(shape: shape, elements: out)
    }

    /// Ensemble margin uncertainty 1 − (p₁ − p₂) per voxel, p₁ ≥ p₂ the two largest probabilities:
    /// 0 where the trees agree, 1 where the top two classes tie (ilastik's uncertainty).
    public var uncertainty: Block<Float> {
        let n = classes.count
        var out = [Float](repeating: 0, count: shape.voxelCount)
        values.withUnsafeBufferPointer { v in
            for i in 0..<out.count {
                var p1: Float = 0, p2: Float = 0
                for c in 0..<n {
                    let p = v[i * n + c]
                    if p > p1 {
                        p2 = p1
                        p1 = p
                    } else if p > p2 {
                        p2 = p
                    }
                }
                out[i] = 1 - (p1 - p2)
            }
        }
        return Block(shape: shape, elements: out)
    }
}
