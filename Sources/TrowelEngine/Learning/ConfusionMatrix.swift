/// Counts of (true class, predicted class) pairs over 0…255, accumulated slab by slab so a whole
/// volume can be scored without holding it in memory.
public struct ConfusionMatrix: Sendable, Equatable {
    /// `counts[truth * 256 + predicted]`.
    public private(set) var counts: [Int]
    /// The classes scored; voxels whose truth is not one of them are skipped.
    public let classes: [Int]
    private let scored: [Bool]

    public init(classes: [Int]) {
        self.classes = classes.sorted()
        counts = [Int](repeating: 0, count: 256 * 256)
        var scored = [Bool](repeating: false, count: 256)
        for c in classes where (0..<256).contains(c) { scored[c] = true }
        self.scored = scored
    }

    /// Voxels counted so far.
    public var total: Int { counts.reduce(0, +) }

    /// Adds pairs of truth and prediction (same length); truths outside `classes` are ignored.
    public mutating func add(truth: [UInt8], predicted: [UInt8]) {
        precondition(truth.count == predicted.count, "ConfusionMatrix: \(truth.count) truths, \(predicted.count) predictions")
        truth.withUnsafeBufferPointer { t in
            predicted.withUnsafeBufferPointer { p in
                counts.withUnsafeMutableBufferPointer { c in
                    for i in 0..<t.count where scored[Int(t[i])] {
                        c[Int(t[i]) << 8 | Int(p[i])] += 1
                    }
                }
            }
        }
    }

    /// Adds another matrix over the same classes.
    public mutating func add(_ other: ConfusionMatrix) {
        for i in counts.indices { counts[i] += other.counts[i] }
    }

    /// Voxels of true class `truth` predicted as `predicted`.
    public subscript(truth: Int, predicted: Int) -> Int { counts[truth << 8 | predicted] }

    /// Per-class one-vs-rest metrics and overall accuracy.
    public var metrics: Metrics {
        let n = total
        var perClass: [Int: ClassMetrics] = [:]
        var correct = 0
        for c in classes {
            let tp = self[c, c]
            var fn = 0, fp = 0
            for other in 0..<256 where other != c {
                fn += self[c, other]
                fp += self[other, c]
            }
            correct += tp
            perClass[c] = ClassMetrics(truePositives: tp, falsePositives: fp, falseNegatives: fn,
                                       trueNegatives: n - tp - fp - fn)
        }
        return Metrics(perClass: perClass, overallAccuracy: n == 0 ? 0 : Double(correct) / Double(n), evaluatedVoxels: n)
    }
}
