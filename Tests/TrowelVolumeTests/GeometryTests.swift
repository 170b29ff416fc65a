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

    /// Sizes from users or file headers are multiplied with overflow checks (a raw `--shape
    /// 9223372036854775807,2,2` used to trap in `voxelCount`).
    @Test func checkedVoxelCountNeverTraps() {
        #expect(Shape(z: 3, y: 4, x: 5).checkedVoxelCount == 60)
        #expect(Shape(z: 3, y: 4, x: 5).sizeProblem == nil)
        #expect(Shape(z: Int.max, y: 2, x: 2).checkedVoxelCount == nil)
        #expect(Shape(z: 1 << 21, y: 1 << 21, x: 1 << 21).checkedVoxelCount == nil)
        #expect(Shape(z: 1 << 17, y: 1 << 17, x: 1 << 17).checkedVoxelCount == nil)   // 2^51: past the cap
        #expect(Shape(z: 1 << 16, y: 1 << 17, x: 1 << 17).checkedVoxelCount == Shape.maximumVoxelCount)
        #expect(Shape(z: -1, y: 2, x: 2).checkedVoxelCount == nil)
        #expect(Shape(z: Int.max, y: 2, x: 2).sizeProblem?.contains("more than Trowel can address") == true)
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
