import Foundation
import Testing
@testable import TrowelEngine

struct MetricsTests {
    @Test func oneVsRestFromAHandComputedConfusionMatrix() {
        // Scored voxels (truth 0 is skipped): class 1 tp 2, fn 1, fp 1, tn 3; class 2 tp 3, fn 1, fp 1, tn 2.
        let truth: [UInt8] = [1, 1, 1, 2, 2, 2, 2, 0]
        let predicted: [UInt8] = [1, 1, 2, 2, 2, 1, 2, 1]
        let m = Metrics.from(truth: truth, predicted: predicted, classes: [1, 2])
        #expect(m.evaluatedVoxels == 7)
        #expect(abs(m.overallAccuracy - 5.0 / 7) < 1e-12)
        let bone = m.perClass[1]!, matrix = m.perClass[2]!
        #expect(bone == ClassMetrics(precision: 2.0 / 3, recall: 2.0 / 3, f1: 4.0 / 6, jaccard: 2.0 / 4, accuracy: 5.0 / 7, support: 3))
        #expect(matrix == ClassMetrics(precision: 3.0 / 4, recall: 3.0 / 4, f1: 6.0 / 8, jaccard: 3.0 / 5, accuracy: 5.0 / 7, support: 4))
    }

    @Test func predictionsOutsideTheClassesCountAsWrong() {
        let m = Metrics.from(truth: [1, 1, 2], predicted: [1, 3, 2], classes: [1, 2])
        #expect(m.evaluatedVoxels == 3)
        #expect(m.perClass[1] == ClassMetrics(truePositives: 1, falsePositives: 0, falseNegatives: 1, trueNegatives: 1))
        #expect(m.perClass[1]!.recall == 0.5)
        #expect(m.perClass[3] == nil)
    }

    @Test func zeroDivisionGivesZero() {
        // Class 2 never occurs and is never predicted; class 3 is predicted but never true.
        let m = Metrics.from(truth: [1, 1, 1, 1], predicted: [1, 1, 1, 3], classes: [1, 2, 3])
        #expect(m.perClass[2] == ClassMetrics(precision: 0, recall: 0, f1: 0, jaccard: 0, accuracy: 1, support: 0))
        #expect(m.perClass[3] == ClassMetrics(precision: 0, recall: 0, f1: 0, jaccard: 0, accuracy: 0.75, support: 0))
        #expect(m.perClass[1]!.precision == 1 && m.perClass[1]!.recall == 0.75)
        let empty = Metrics.from(truth: [], predicted: [], classes: [1, 2])
        #expect(empty.evaluatedVoxels == 0 && empty.overallAccuracy == 0)
        #expect(empty.perClass[1] == ClassMetrics(precision: 0, recall: 0, f1: 0, jaccard: 0, accuracy: 0, support: 0))
    }

    @Test func accumulatingSlabsEqualsScoringAtOnce() {
        let truth: [UInt8] = [1, 2, 2, 1, 1, 2, 0, 2]
        let predicted: [UInt8] = [1, 1, 2, 2, 1, 2, 2, 2]
        var matrix = ConfusionMatrix(classes: [1, 2])
        matrix.add(truth: Array(truth[0..<3]), predicted: Array(predicted[0..<3]))
        matrix.add(truth: Array(truth[3...]), predicted: Array(predicted[3...]))
        #expect(matrix.metrics == Metrics.from(truth: truth, predicted: predicted, classes: [1, 2]))
        #expect(matrix[1, 2] == 1 && matrix[2, 1] == 1 && matrix.total == 7)
    }

    @Test func jsonKeysAreClassIDs() throws {
        let m = Metrics.from(truth: [1, 2], predicted: [1, 1], classes: [1, 2])
        let data = try JSONEncoder().encode(m)
        let object = try #require(JSONSerialization.jsonObject(with: data) as? [String: Any])
        let perClass = try #require(object["per_class"] as? [String: Any])
        #expect(Set(perClass.keys) == ["1", "2"])
        #expect(try JSONDecoder().decode(Metrics.self, from: data) == m)
    }
}
