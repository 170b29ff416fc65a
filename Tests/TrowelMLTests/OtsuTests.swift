import Foundation
import Testing
@testable import TrowelML

/// Otsu, multi-Otsu and Hu moments against scikit-image (Scripts/make-threshold-fixtures.py).
struct OtsuTests {
    struct Case: Decodable {
        var name: String
        var dtype: String
        var values: [Double]
        var otsu: Double
        var multiotsu3: [Double]
        var multiotsu4: [Double]
    }
    struct ShapeCase: Decodable {
        var name: String
        var height: Int
        var width: Int
        var mask: [Float]
        var hu: [Double]
    }
    struct File: Decodable {
        var cases: [Case]
        var shapes: [ShapeCase]
    }

    static let file: File = try! JSONDecoder().decode(File.self, from: Fixtures.data("otsu.json"))

    static func histogram(_ c: Case) -> IntensityHistogram {
        IntensityHistogram(c.values, integral: !c.dtype.hasPrefix("float"), singlePrecision: c.dtype == "float32")
    }

    @Test(arguments: file.cases.map(\.name))
    func otsuEqualsScikitImage(_ name: String) throws {
        let c = Self.file.cases.first { $0.name == name }!
        #expect(try Otsu.threshold(Self.histogram(c)) == c.otsu, "\(name)")
    }

    @Test(arguments: file.cases.map(\.name))
    func multiOtsuEqualsScikitImage(_ name: String) throws {
        let c = Self.file.cases.first { $0.name == name }!
        let h = Self.histogram(c)
        #expect(try Otsu.thresholds(h, classes: 3) == c.multiotsu3, "\(name) 3 classes")
        #expect(try Otsu.thresholds(h, classes: 4) == c.multiotsu4, "\(name) 4 classes")
    }

    @Test func dynamicProgrammeFindsTheBruteForceMaximum() throws {
        for c in Self.file.cases where c.dtype == "uint8" {
            let h = Self.histogram(c)
            let prob = h.counts.map { Float($0 / h.total) }
            #expect(Otsu.dynamic(prob, thresholds: 2) == Otsu.exhaustive(prob, thresholds: 2), "\(c.name)")
            #expect(Otsu.dynamic(prob, thresholds: 3) == Otsu.exhaustive(prob, thresholds: 3), "\(c.name)")
        }
    }

    @Test func constantAndTooFewValues() throws {
        #expect(try Otsu.threshold(IntensityHistogram([7, 7, 7], integral: true)) == 7)
        #expect(throws: ThresholdError.tooFewValues(found: 2, classes: 3)) {
            try Otsu.thresholds(IntensityHistogram([1, 1, 9], integral: true), classes: 3)
        }
        #expect(throws: ThresholdError.empty) { try Otsu.threshold(IntensityHistogram([], integral: true)) }
        #expect(Otsu.region(of: 5, thresholds: [5]) == 0)
        #expect(Otsu.region(of: 5, thresholds: [2, 5]) == 2)
    }

    @Test(arguments: file.shapes.map(\.name))
    func huMomentsEqualScikitImage(_ name: String) throws {
        let s = Self.file.shapes.first { $0.name == name }!
        let hu = HuMoments.of(s.mask, height: s.height, width: s.width)
        for (a, b) in zip(hu, s.hu) {
            #expect(Swift.abs(a - b) <= 1e-12 + 1e-9 * Swift.abs(b), "\(name): \(hu) vs \(s.hu)")
        }
    }
}
