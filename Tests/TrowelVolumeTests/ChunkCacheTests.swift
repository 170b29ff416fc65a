import Dispatch
import Foundation
import Testing
@testable import TrowelVolume

@Suite struct ChunkCacheTests {
    func key(_ i: Int) -> ChunkCache.Key { ChunkCache.Key(array: "/a.zarr", chunk: Index3(z: i, y: 0, x: 0)) }
    func chunk(_ bytes: Int) -> AnyBlock { .u8(Block(shape: Shape(z: 1, y: 1, x: bytes), repeating: 1)) }

    @Test func evictsLeastRecentlyUsedToStayWithinBudget() {
        let cache = ChunkCache(byteBudget: 300)
        cache.insert(chunk(100), for: key(0))
        cache.insert(chunk(100), for: key(1))
        cache.insert(chunk(100), for: key(2))
        #expect(cache.value(for: key(0)) != nil)  // 0 is now the most recent; 1 the least
        cache.insert(chunk(100), for: key(3))
        #expect(cache.value(for: key(1)) == nil)
        #expect(cache.value(for: key(0)) != nil)
        #expect(cache.value(for: key(2)) != nil)
        #expect(cache.value(for: key(3)) != nil)
        let s = cache.statistics
        #expect(s.bytes == 300 && s.count == 3 && s.evictions == 1 && s.hits == 4 && s.misses == 1)
        // One big chunk pushes out two.
        cache.insert(chunk(200), for: key(4))
        #expect(cache.statistics.bytes == 300)
        #expect(cache.statistics.count == 2)
    }

    @Test func chunkLargerThanBudgetIsNotKeptAndReplacingUpdatesBytes() {
        let cache = ChunkCache(byteBudget: 100)
        cache.insert(chunk(101), for: key(0))
        #expect(cache.statistics.count == 0)
        cache.insert(chunk(40), for: key(1))
        cache.insert(.u16(Block(shape: Shape(z: 1, y: 1, x: 10), repeating: 2)), for: key(1))
        #expect(cache.statistics.bytes == 20)
        cache.removeAll(array: "/a.zarr")
        #expect(cache.statistics.bytes == 0 && cache.statistics.count == 0)
    }

    @Test func readTouchesOnlyTheChunksItNeeds() throws {
        let tmp = TemporaryFolder()
        defer { tmp.remove() }
        let shape = Shape(z: 16, y: 16, x: 16)
        let writer = try ZarrArray.create(at: tmp("t.zarr"), shape: shape, chunks: .cube(4), dtype: .u16)
        try writer.write(testBlock(.u16, shape: shape), at: .zero)
        let cache = ChunkCache(byteBudget: 1 << 20)
        let array = try ZarrArray.open(at: tmp("t.zarr"), cache: cache)
        _ = try array.read(Box(z: 5..<7, y: 1..<3, x: 9..<12))  // inside chunk (1, 0, 2)
        #expect(cache.statistics.misses == 1)
        #expect(cache.statistics.count == 1)
        _ = try array.read(Box(z: 5..<7, y: 3..<5, x: 9..<12))  // chunks (1,0,2) and (1,1,2)
        #expect(cache.statistics.misses == 2)
        #expect(cache.statistics.hits == 1)
        _ = try array.read(Box.slice(axis: .y, at: 13, of: shape))  // an XZ slice: 4 × 1 × 4 chunks
        #expect(cache.statistics.count == 2 + 16)
        let before = cache.statistics
        _ = try array.read(Box.slice(axis: .y, at: 12, of: shape))  // same chunks, all cached
        #expect(cache.statistics.misses == before.misses)
        #expect(cache.statistics.hits == before.hits + 16)
    }

    @Test func writesRefreshTheCache() throws {
        let tmp = TemporaryFolder()
        defer { tmp.remove() }
        let cache = ChunkCache(byteBudget: 1 << 20)
        let array = try ZarrArray.create(at: tmp("r.zarr"), shape: .cube(8), chunks: .cube(4), dtype: .u8, cache: cache)
        try array.write(Block<UInt8>(shape: .cube(8), repeating: 1), at: .zero)
        #expect(try array.read(Shape.cube(8).box, as: UInt8.self).elements.allSatisfy { $0 == 1 })
        try array.write(Block<UInt8>(shape: .cube(1), repeating: 5), at: Index3(z: 3, y: 3, x: 3))
        #expect(try array.read(Box(z: 3..<4, y: 3..<4, x: 3..<4), as: UInt8.self).elements == [5])
    }

    @Test func concurrentReadsThroughASmallCacheAreCorrect() throws {
        let tmp = TemporaryFolder()
        defer { tmp.remove() }
        let shape = Shape(z: 24, y: 24, x: 24)
        let expected = testBlock(.u16, shape: shape).converted(to: UInt16.self)
        let writer = try ZarrArray.create(at: tmp("c.zarr"), shape: shape, chunks: .cube(8), dtype: .u16,
                                          compressor: .blosc(cname: "lz4", clevel: 5, shuffle: .byte, blocksize: 0))
        try writer.write(expected, at: .zero)
        let chunkBytes = 8 * 8 * 8 * 2
        let cache = ChunkCache(byteBudget: 5 * chunkBytes)
        let array = try ZarrArray.open(at: tmp("c.zarr"), cache: cache)
        let mismatches = Locked(0)
        DispatchQueue.concurrentPerform(iterations: 200) { i in
            let lower = Index3(z: (i * 7) % 20, y: (i * 5) % 19, x: (i * 3) % 17)
            let box = Box(lower: lower, upper: lower + Index3(z: 1 + i % 4, y: 1 + i % 5, x: 1 + i % 7))
            let got = try? array.read(box, as: UInt16.self)
            if got?.elements != expected.cropped(to: box).elements { mismatches.withLock { $0 += 1 } }
            #expect(cache.statistics.bytes <= 5 * chunkBytes)
        }
        #expect(mismatches.withLock { $0 } == 0)
        #expect(cache.statistics.evictions > 0)
        #expect(cache.statistics.hits > 0)
    }
}
