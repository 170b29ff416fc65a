import Testing
@testable import TrowelVolume

@Suite struct DownsamplerTests {
    @Test func levelShapesStopBelowTheLimit() {
        #expect(Downsampler.levelShapes(for: .cube(1024)).map(\.x) == [1024, 512, 256, 128])
        #expect(Downsampler.levelShapes(for: Shape(z: 10, y: 300, x: 257)) == [Shape(z: 10, y: 300, x: 257), Shape(z: 5, y: 150, x: 129)])
        #expect(Downsampler.levelShapes(for: .cube(100)).count == 1)
    }

    @Test func meanOfEightRoundsHalfUpAndOddEdgesAverageWhatExists() {
        // 2×2×3: the last x column has only 4 voxels behind it.
        let b = Block<UInt8>(shape: Shape(z: 2, y: 2, x: 3), elements: [0, 1, 10, 2, 3, 20, 4, 5, 30, 6, 8, 40])
        let h = Downsampler.halve(b)
        #expect(h.shape == Shape(z: 1, y: 1, x: 2))
        // (0+1+2+3+4+5+6+8)/8 = 3.625 → 4; (10+20+30+40)/4 = 25.
        #expect(h.elements == [4, 25])
        let f = Downsampler.halve(b.converted(to: Float.self))
        #expect(f.elements == [3.625, 25])
    }
}
