import Foundation

/// How well taxa are identified: accuracy, macro and weighted precision/recall/F1, top-3 accuracy,
/// one-vs-rest ROC AUC (macro mean over taxa present), a per-taxon table and a confusion matrix
/// (rows truth, columns prediction, in `taxa` order).
public struct TaxonMetrics: Codable, Sendable, Equatable {
    public struct PerTaxon: Codable, Sendable, Equatable {
        public var taxon: String
        public var precision: Double
        public var recall: Double
        public var f1: Double
        public var auc: Double?
        public var support: Int
    }

    public var count: Int
    public var accuracy: Double
    public var macroPrecision: Double
    public var macroRecall: Double
    public var macroF1: Double
    public var weightedPrecision: Double
    public var weightedRecall: Double
    public var weightedF1: Double
    public var top3: Double
    public var auc: Double?
    public var perTaxon: [PerTaxon]
    public var confusion: [[Int]]

    enum CodingKeys: String, CodingKey {
        case count, accuracy, top3, auc, confusion
        case macroPrecision = "macro_precision", macroRecall = "macro_recall", macroF1 = "macro_f1"
        case weightedPrecision = "weighted_precision", weightedRecall = "weighted_recall", weightedF1 = "weighted_f1"
        case perTaxon = "per_taxon"
    }

    /// Metrics of `probabilities` (`taxa.count` per sample) against `truth` (indices into `taxa`).
    public init(truth: [Int], probabilities: [Float], taxa: [String]) {
        let k = taxa.count, n = truth.count
        count = n
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: k), count: k)
        var top3Hits = 0
        for i in 0..<n {
            let p = Array(probabilities[(i * k)..<((i + 1) * k)])
            let ranked = p.indices.sorted { p[$0] > p[$1] || (p[$0] == p[$1] && $0 < $1) }
            confusion[truth[i]][ranked[0]] += 1
            if ranked.prefix(3).contains(truth[i]) { top3Hits += 1 }
        }
        self.confusion = confusion
        accuracy = n > 0 ? Double((0..<k).reduce(0) { $0 + confusion[$1][$1] }) / Double(n) : 0
        top3 = n > 0 ? Double(top3Hits) / Double(n) : 0
        var rows: [PerTaxon] = []
        for c in 0..<k {
            let tp = Double(confusion[c][c])
            let predicted = Double((0..<k).reduce(0) { $0 + confusion[$1][c] })
            let support = confusion[c].reduce(0, +)
            let precision = predicted > 0 ? tp / predicted : 0
            let recall = support > 0 ? tp / Double(support) : 0
            let f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0
            // One-vs-rest AUC: the chance a sample of c scores higher for c than one of another taxon.
            var pos: [Float] = [], neg: [Float] = []
            for i in 0..<n { (truth[i] == c ? { pos.append(probabilities[i * k + c]) } : { neg.append(probabilities[i * k + c]) })() }
            var auc: Double?
            if !pos.isEmpty && !neg.isEmpty {
                let sortedNeg = neg.sorted()
                var wins = 0.0
                for p in pos {
                    var lo = 0, hi = sortedNeg.count
                    while lo < hi { let m = (lo + hi) / 2; if sortedNeg[m] < p { lo = m + 1 } else { hi = m } }
                    var eq = lo
                    while eq < sortedNeg.count && sortedNeg[eq] == p { eq += 1 }
                    wins += Double(lo) + 0.5 * Double(eq - lo)
                }
                auc = wins / Double(pos.count * neg.count)
            }
            rows.append(PerTaxon(taxon: taxa[c], precision: precision, recall: recall, f1: f1, auc: auc, support: support))
        }
        perTaxon = rows
        let present = rows.filter { $0.support > 0 }
        let m = Double(max(1, present.count)), total = Double(max(1, n))
        macroPrecision = present.reduce(0) { $0 + $1.precision } / m
        macroRecall = present.reduce(0) { $0 + $1.recall } / m
        macroF1 = present.reduce(0) { $0 + $1.f1 } / m
        weightedPrecision = present.reduce(0) { $0 + $1.precision * Double($1.support) } / total
        weightedRecall = present.reduce(0) { $0 + $1.recall * Double($1.support) } / total
        weightedF1 = present.reduce(0) { $0 + $1.f1 * Double($1.support) } / total
        let aucs = present.compactMap(\.auc)
        auc = aucs.isEmpty ? nil : aucs.reduce(0, +) / Double(aucs.count)
    }
}
