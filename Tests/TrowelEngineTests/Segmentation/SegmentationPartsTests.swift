import Testing
import TrowelVolume
@testable import TrowelEngine

struct SegmentationPartsTests {
    @Test func shardsParseAndSplitBlocksByRemainder() throws {
        let s = try Shard(parsing: "1/3")
        #expect(s.index == 1 && s.count == 3)
        #expect((0..<9).filter(s.owns) == [1, 4, 7])
        for bad in ["3/3", "-1/2", "1", "a/b", "0/0", "1/2/3", ""] {
            #expect(throws: SegmentationError.badShard(bad)) { try Shard(parsing: bad) }
        }
    }

    @Test func blockGridCoversTheVolumeWithChunksInsideBlocks() throws {
        let grid = try BlockGrid(shape: Shape(z: 48, y: 40, x: 33), side: 16)
        #expect(grid.counts == Shape(z: 3, y: 3, x: 3))
        #expect(grid.box(26) == Box(z: 32..<48, y: 32..<40, x: 32..<33))
        #expect((0..<grid.count).reduce(0) { $0 + grid.box($1).shape.voxelCount } == 48 * 40 * 33)
        #expect(try BlockGrid(shape: Shape.cube(512), side: 128).chunkShape == Shape.cube(64))
        #expect(throws: SegmentationError.badBlockSize(0)) { try BlockGrid(shape: .cube(4), side: 0) }
    }

    @Test func labelPyramidTakesTheMajorityAndTheSmallestIdOnTies() {
        // 2×2×3: the first cell holds five 2s and three 1s; the odd last column holds one 1 and one 3 per plane.
        let block = Block<UInt8>(shape: Shape(z: 2, y: 2, x: 3), elements: [
            2, 2, 1,
            1, 2, 3,
            2, 1, 1,
            2, 1, 3,
        ])
        let half = LabelDownsampler.halve(block)
        #expect(half.shape == Shape(z: 1, y: 1, x: 2))
        #expect(half.elements == [2, 1])
    }
}
