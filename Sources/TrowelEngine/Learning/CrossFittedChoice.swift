import TrowelML

/// Choosing one of several candidate decisions (a walker weight, a clean-up step) on held-out
/// folds so that the score of the choice is itself held out: each fold is scored with the
/// candidate that is best on the other folds (cross-fitting). Candidate 0 is "change nothing";
/// ties keep the lower index.
struct CrossFittedChoice {
    /// `matrices[f][c]`: fold f's held-out voxels scored after candidate c.
    let matrices: [[ConfusionMatrix]]
    let classes: [Int]

    /// Mean F1 over the classes of candidate `c` pooled over `folds` (0 when they hold nothing).
    func score(_ c: Int, on folds: [Int]) -> Double {
        var m = ConfusionMatrix(classes: classes)
        for f in folds { m.add(matrices[f][c]) }
        return m.total > 0 ? (RecipeSelection.score(m.metrics) ?? 0) : 0
    }

    /// The candidate with the best pooled score on `folds`.
    func best(on folds: [Int]) -> Int {
        var bestIndex = 0, bestScore = score(0, on: folds)
        for c in 1..<(matrices.first?.count ?? 1) {
            let s = score(c, on: folds)
            if s > bestScore + 1e-12 {
                bestScore = s
                bestIndex = c
            }
        }
        return bestIndex
    }

    /// The candidate best on every fold, each fold's own choice (best on the others), and the
    /// metrics of every fold scored with its own choice.
    func choose() -> (final: Int, perFold: [Int], crossFitted: Metrics) {
        let folds = Array(matrices.indices)
        var crossFitted = ConfusionMatrix(classes: classes)
        var perFold: [Int] = []
        for f in folds {
            let c = best(on: folds.filter { $0 != f })
            perFold.append(c)
            crossFitted.add(matrices[f][c])
        }
        return (best(on: folds), perFold, crossFitted.metrics)
    }
}
