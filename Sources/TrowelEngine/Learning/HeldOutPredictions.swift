import TrowelML

/// The class probabilities that fold forests gave their held-out voxels, with the truth, fold by
/// fold: what cross-validation scores, kept so that a decision rule (`DecisionTuning`) can be
/// tuned on some folds and checked on the others.
public struct HeldOutPredictions: Sendable {
    /// One fold's held-out voxels.
    public struct Fold: Sendable {
        public var truth: [UInt8]
        /// `truth.count × classes.count`, voxel-major, in the order of `classes`.
        public var probabilities: [Float]
        /// Where the held-out voxels are in the labelled set the folds were cut from (empty when not known).
        public var indices: [Int] = []
        /// Every voxel of the fold's groups in that set, scored or not: what a fold must not learn from.
        public var members: [Int] = []
        /// The fold's forest (a cascade's last stage with its earlier ones), when kept.
        public var forest: RandomForest?
    }

    /// Class ids the probabilities are for, ascending (the classes the labels hold).
    public let classes: [Int]
    public private(set) var folds: [Fold] = []
    /// The labelled set the folds were cut from (their `indices` point into it), when known.
    public var labelled: LabelledSet?

    public init(classes: [Int]) {
        self.classes = classes.sorted()
    }

    /// Voxels held out over all folds.
    public var count: Int { folds.reduce(0) { $0 + $1.truth.count } }

    /// Adds a fold: `forest`'s probabilities for `rows` (one row per voxel of `truth`), mapped onto
    /// `classes` (a class the fold's forest never saw gets probability 0).
    public mutating func add(_ forest: RandomForest, rows: [Float], truth: [UInt8], indices: [Int] = [], members: [Int] = []) {
        let p = forest.probabilities(forRows: rows, count: truth.count)
        let k = classes.count, n = forest.classes.count
        let column = forest.classes.map { c in classes.firstIndex(of: Int(c.id)) }
        var mapped = [Float](repeating: 0, count: truth.count * k)
        for i in truth.indices {
            for (j, target) in column.enumerated() {
                if let target { mapped[i * k + target] = p[i * n + j] }
            }
        }
        add(truth: truth, probabilities: mapped, indices: indices, members: members)
        folds[folds.count - 1].forest = forest
    }

    /// Adds a fold of held-out voxels with their probabilities over `classes` (voxel-major).
    public mutating func add(truth: [UInt8], probabilities: [Float], indices: [Int] = [], members: [Int] = []) {
        precondition(probabilities.count == truth.count * classes.count, "HeldOutPredictions: size mismatch")
        precondition(indices.isEmpty || indices.count == truth.count, "HeldOutPredictions: \(indices.count) indices for \(truth.count) voxels")
        folds.append(Fold(truth: truth, probabilities: probabilities, indices: indices, members: members))
    }

    /// The same folds with other probabilities (voxel-major over `classes`, one array per fold).
    public func replacingProbabilities(_ probabilities: [[Float]]) -> HeldOutPredictions {
        precondition(probabilities.count == folds.count, "HeldOutPredictions: \(probabilities.count) folds for \(folds.count)")
        var out = HeldOutPredictions(classes: classes)
        out.labelled = labelled
        for (fold, p) in zip(folds, probabilities) {
            out.add(truth: fold.truth, probabilities: p, indices: fold.indices, members: fold.members)
            out.folds[out.folds.count - 1].forest = fold.forest
        }
        return out
    }

    /// The confusion matrix of the folds `selected` (all by default) when each voxel gets the class
    /// of largest `weights[c] × probability` (plain argmax without weights; ties to the lower id).
    public func matrix(weights: [Float]? = nil, folds selected: [Int]? = nil) -> ConfusionMatrix {
        var matrix = ConfusionMatrix(classes: classes)
        let k = classes.count
        let w = weights ?? [Float](repeating: 1, count: k)
        precondition(w.count == k, "HeldOutPredictions: \(w.count) weights for \(k) classes")
        let ids = classes.map { UInt8($0) }
        for f in selected ?? Array(folds.indices) {
            let fold = folds[f]
            var predicted = [UInt8](repeating: 0, count: fold.truth.count)
            fold.probabilities.withUnsafeBufferPointer { p in
                for i in predicted.indices {
                    var best = 0
                    var top = w[0] * p[i * k]
                    for c in 1..<max(1, k) where w[c] * p[i * k + c] > top {
                        best = c
                        top = w[c] * p[i * k + c]
                    }
                    predicted[i] = ids[best]
                }
            }
            matrix.add(truth: fold.truth, predicted: predicted)
        }
        return matrix
    }

    /// Metrics of the plain argmax over every fold, nil when nothing was held out.
    public var metrics: Metrics? {
        let m = matrix()
        return m.total > 0 ? m.metrics : nil
    }
}
