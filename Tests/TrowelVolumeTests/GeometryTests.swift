import Testing
@testable import TrowelVolume

@Suite struct GeometryTests {
    @Test func boxIntersectionAndShape() {
        let a = Box(z: 0..<10, y: 0..<10, x: 0..<10)
        let b = Box(z: 5..<20, y: -3..<4, x: 9..<12)
        let i = a.intersection(b)
        #expect(i == Box(z: 5..<10, y: 0..<4, x: 9..<10))
        #expect(i.shape == Shape(z: 5, y: 4, x: 1))
        #expect(Box(lower: Index3(z: 3, y: 0, x: 0), upper: Index3(z: 2, y: 1, x: 1)).isEmpty)
    }

    @Test func copyBetweenBlocksPlacesOverlap() {
        var dst = Block<UInt16>(shape: Shape(z: 2, y: 3, x: 4), repeating: 0)
        let src = Block<UInt16>(shape: Shape(z: 1, y: 2, x: 2), elements: [1, 2, 3, 4])
        dst.copy(from: src, at: Index3(z: 1, y: 2, x: 3), into: .zero)
        #expect(dst[1, 2, 3] == 1)
        #expect(dst.elements.reduce(0, +) == 1)
    }

    @Test func conversionClampsAndRounds() {
        let f = Block<Float>(shape: Shape(z: 1, y: 1, x: 4), elements: [-3, 2.6, 300, .nan])
        #expect(f.converted(to: UInt8.self).elements == [0, 3, 255, 0])
    }
}
