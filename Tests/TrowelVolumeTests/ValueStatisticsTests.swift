import Testing
@testable import TrowelVolume

@Suite struct ValueStatisticsTests {
    @Test func extremesMeanAndPercentilesAcrossSlabs() {
        var stats = ValueStatistics(expectedCount: 1000, sampleLimit: 1000)
        let values = (0..<1000).map { UInt16($0) }
        stats.add(Block(shape: Shape(z: 1, y: 10, x: 50), elements: Array(values[0..<500])))
        stats.add(AnyBlock(Block(shape: Shape(z: 1, y: 10, x: 50), elements: Array(values[500...]))))
        #expect(stats.minimum == 0 && stats.maximum == 999)
        #expect(stats.mean == 499.5)
        #expect(abs(stats.percentile(0.5) - 500) <= 1)
        #expect(abs(stats.summary.high - 994) <= 1)
    }

    @Test func nanIsSkipped() {
        var stats = ValueStatistics(expectedCount: 3)
        stats.add(Block<Float>(shape: Shape(z: 1, y: 1, x: 3), elements: [.nan, 2, -1]))
        #expect(stats.minimum == -1 && stats.maximum == 2 && stats.count == 2)
    }
}
