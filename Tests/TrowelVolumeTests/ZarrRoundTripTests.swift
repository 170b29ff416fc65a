import Dispatch
import Foundation
import Testing
@testable import TrowelVolume

/// Trowel writes, Trowel reads: every compressor, dtype and separator; partial writes; threads.
@Suite struct ZarrRoundTripTests {
    static let compressors: [ZarrCompressor] = [
        .none, .zlib(level: 6), .gzip(level: 5), .zstd(level: 3),
        .blosc(cname: "lz4", clevel: 5, shuffle: .byte, blocksize: 0),
        .blosc(cname: "lz4hc", clevel: 5, shuffle: .bit, blocksize: 0),
        .blosc(cname: "zstd", clevel: 3, shuffle: .bit, blocksize: 0),
        .blosc(cname: "zlib", clevel: 4, shuffle: .none, blocksize: 0),
    ]

    static let shape = Shape(z: 9, y: 7, x: 6)
    static let chunks = Shape(z: 4, y: 4, x: 4)

    @Test(arguments: DType.allCases, compressors)
    func everyDTypeAndCompressorRoundTrips(dtype: DType, compressor: ZarrCompressor) throws {
        let tmp = TemporaryFolder()
        defer { tmp.remove() }
        for separator in ["/", "."] {
            let url = tmp("a\(separator == "/" ? "slash" : "dot").zarr")
            let data = testBlock(dtype, shape: Self.shape)
            let array = try ZarrArray.create(at: url, shape: Self.shape, chunks: Self.chunks, dtype: dtype,
                                             compressor: compressor, dimensionSeparator: separator)
            try array.write(data, at: .zero)
            let reopened = try ZarrArray.open(at: url)
            #expect(reopened.compressor == compressor)
            #expect(reopened.dtype == dtype)
            #expect(reopened.shape == Self.shape)
            #expect(try reopened.read(Self.shape.box).bitPatterns == data.bitPatterns)
            let key = separator == "/" ? "2/1/1" : "2.1.1"
            #expect(FileManager.default.fileExists(atPath: url.appendingPathComponent(key).path))
        }
    }

    @Test func zarrayHasTheFieldsZarrPythonExpects() throws {
        let tmp = TemporaryFolder()
        defer { tmp.remove() }
        let url = tmp("meta.zarr")
        _ = try ZarrArray.create(at: url, shape: Shape(z: 10, y: 20, x: 30), chunks: .cube(8), dtype: .u16,
                                 compressor: .zstd(level: 3), fillValue: 0, attributes: ["voxel": [1, 2, 3]])
        let meta = try #require(JSONValue(parsing: try Data(contentsOf: url.appendingPathComponent(".zarray"))))
        let expected: JSONValue = [
            "zarr_format": 2, "shape": [10, 20, 30], "chunks": [8, 8, 8], "dtype": "<u2",
            "compressor": ["id": "zstd", "level": 3], "fill_value": 0, "order": "C", "filters": nil,
            "dimension_separator": "/",
        ]
        #expect(meta == expected)
        let text = try String(contentsOf: url.appendingPathComponent(".zarray"), encoding: .utf8)
        #expect(text.contains("\"level\" : 3"), "whole numbers are written without a fraction")
        #expect(try ZarrArray.open(at: url).readAttributes() == ["voxel": [1, 2, 3]])
    }

    @Test func nanFillIsWrittenAsString() throws {
        let tmp = TemporaryFolder()
        defer { tmp.remove() }
        let array = try ZarrArray.create(at: tmp("nan.zarr"), shape: .cube(5), chunks: .cube(4), dtype: .f32, fillValue: .nan)
        let meta = try #require(JSONValue(parsing: try Data(contentsOf: tmp("nan.zarr").appendingPathComponent(".zarray"))))
        #expect(meta["fill_value"] == "NaN")
        #expect(try array.read(Box(z: 0..<5, y: 0..<5, x: 0..<5), as: Float.self).elements.allSatisfy { $0.isNaN })
    }

    @Test func partialWritesKeepTheRestOfEachChunk() throws {
        let tmp = TemporaryFolder()
        defer { tmp.remove() }
        let array = try ZarrArray.create(at: tmp("p.zarr"), shape: Self.shape, chunks: Self.chunks, dtype: .u16, fillValue: 9)
        var model = Block<UInt16>(shape: Self.shape, repeating: 9)
        // A block straddling eight chunks, then one overlapping it.
        let a = testBlock(.u16, shape: Shape(z: 3, y: 4, x: 3), seed: 1).converted(to: UInt16.self)
        try array.write(a, at: Index3(z: 2, y: 2, x: 2))
        model.copy(from: a, at: Index3(z: 2, y: 2, x: 2), into: .zero)
        let b = testBlock(.u16, shape: Shape(z: 5, y: 2, x: 6), seed: 2).converted(to: UInt16.self)
        try array.write(b, at: Index3(z: 4, y: 5, x: 0))
        model.copy(from: b, at: Index3(z: 4, y: 5, x: 0), into: .zero)
        #expect(try array.read(Self.shape.box, as: UInt16.self).elements == model.elements)
        #expect(!array.chunkExists(Index3(z: 2, y: 0, x: 0)), "untouched chunks stay missing")
        #expect(array.chunkExists(Index3(z: 2, y: 1, x: 1)))
        // Reading a box across chunk edges.
        let box = Box(z: 1..<8, y: 3..<6, x: 1..<5)
        #expect(try array.read(box, as: UInt16.self).elements == model.cropped(to: box).elements)
    }

    @Test func readsAndWritesConvertDTypes() throws {
        let tmp = TemporaryFolder()
        defer { tmp.remove() }
        let array = try ZarrArray.create(at: tmp("c.zarr"), shape: Shape(z: 1, y: 2, x: 3), chunks: .cube(4), dtype: .u8)
        try array.write(Block<Float>(shape: Shape(z: 1, y: 2, x: 3), elements: [-4, 0.4, 1.6, 254.5, 300, 7]), at: .zero)
        #expect(try array.read(Shape(z: 1, y: 2, x: 3).box, as: UInt8.self).elements == [0, 0, 2, 255, 255, 7])
        #expect(try array.read(Shape(z: 1, y: 2, x: 3).box, as: Double.self).elements == [0, 0, 2, 255, 255, 7])
    }

    @Test func boxesOutsideTheArrayAreRejected() throws {
        let tmp = TemporaryFolder()
        defer { tmp.remove() }
        let array = try ZarrArray.create(at: tmp("o.zarr"), shape: .cube(5), chunks: .cube(4), dtype: .u8)
        let readError = zarrError { _ = try array.read(Box(z: 0..<6, y: 0..<5, x: 0..<5)) }
        #expect(readError?.description.contains("o.zarr") == true)
        let writeError = zarrError { try array.write(Block<UInt8>(shape: .cube(2), repeating: 1), at: Index3(z: -1, y: 0, x: 0)) }
        guard case .outOfBounds? = writeError else { Issue.record("expected outOfBounds, got \(String(describing: writeError))"); return }
    }

    @Test func createRefusesToReplaceAnArrayUnlessAsked() throws {
        let tmp = TemporaryFolder()
        defer { tmp.remove() }
        let url = tmp("x.zarr")
        let first = try ZarrArray.create(at: url, shape: .cube(4), chunks: .cube(4), dtype: .u8)
        try first.write(Block<UInt8>(shape: .cube(4), repeating: 3), at: .zero)
        let error = zarrError { _ = try ZarrArray.create(at: url, shape: .cube(4), chunks: .cube(4), dtype: .u16) }
        #expect(error == .alreadyExists(path: url.standardizedFileURL.path))
        let second = try ZarrArray.create(at: url, shape: .cube(4), chunks: .cube(4), dtype: .u16, overwrite: true)
        #expect(try second.read(Shape.cube(4).box, as: UInt16.self).elements.allSatisfy { $0 == 0 })
    }

    @Test func twoDimensionalArrayOpensAsOneSlice() throws {
        let tmp = TemporaryFolder()
        defer { tmp.remove() }
        let url = tmp("flat.zarr")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        try Data(#"{"zarr_format":2,"shape":[3,5],"chunks":[2,5],"dtype":"|u1","compressor":null,"fill_value":4,"order":"C","filters":null}"#.utf8)
            .write(to: url.appendingPathComponent(".zarray"))
        try Data((0..<10).map { UInt8($0) }).write(to: url.appendingPathComponent("0.0"))
        let array = try ZarrArray.open(at: url)
        #expect(array.shape == Shape(z: 1, y: 3, x: 5))
        #expect(array.chunkGrid == Shape(z: 1, y: 2, x: 1))
        #expect(try array.read(array.shape.box, as: UInt8.self).elements == (0..<10).map { UInt8($0) } + [4, 4, 4, 4, 4])
        try array.write(Block<UInt8>(shape: Shape(z: 1, y: 1, x: 5), repeating: 8), at: Index3(z: 0, y: 2, x: 0))
        #expect(FileManager.default.fileExists(atPath: url.appendingPathComponent("1.0").path), "2D keys have two parts")
    }

    @Test func writesToBigEndianArraysStayBigEndian() throws {
        let tmp = TemporaryFolder()
        defer { tmp.remove() }
        let source = ZarrFixtureTests.folder.appendingPathComponent("v2_none_be_u16.zarr")
        let url = tmp("be.zarr")
        try FileManager.default.copyItem(at: source, to: url)
        let array = try ZarrArray.open(at: url)
        try array.write(Block<UInt16>(shape: Shape(z: 1, y: 1, x: 2), elements: [0x0102, 0x0304]), at: .zero)
        let raw = try Data(contentsOf: url.appendingPathComponent("0.0.0"))
        #expect(Array(raw.prefix(4)) == [0x01, 0x02, 0x03, 0x04])
        #expect(try ZarrArray.open(at: url).read(Box(z: 0..<1, y: 0..<1, x: 0..<2), as: UInt16.self).elements == [0x0102, 0x0304])
    }

    @Test func concurrentWritesOfDifferentChunksAllLand() throws {
        let tmp = TemporaryFolder()
        defer { tmp.remove() }
        let shape = Shape(z: 16, y: 16, x: 16)
        let array = try ZarrArray.create(at: tmp("w.zarr"), shape: shape, chunks: .cube(4), dtype: .u16)
        let grid = array.chunkGrid
        let failures = Locked([String]())
        DispatchQueue.concurrentPerform(iterations: grid.voxelCount) { i in
            let index = Index3(z: i / (grid.y * grid.x), y: (i / grid.x) % grid.y, x: i % grid.x)
            let box = array.chunkBox(index)
            do {
                try array.write(Block<UInt16>(shape: box.shape, repeating: UInt16(i + 1)), at: box.lower)
            } catch {
                failures.withLock { $0.append("\(error)") }
            }
        }
        #expect(failures.withLock { $0 }.isEmpty)
        let all = try array.read(shape.box, as: UInt16.self)
        for z in 0..<16 {
            for y in 0..<16 {
                for x in 0..<16 {
                    let i = ((z / 4) * grid.y + y / 4) * grid.x + x / 4
                    if all[z, y, x] != UInt16(i + 1) { Issue.record("voxel (\(z),\(y),\(x)) is \(all[z, y, x])"); return }
                }
            }
        }
        let leftovers = try FileManager.default.subpathsOfDirectory(atPath: tmp("w.zarr").path).filter { $0.contains(".trowel-tmp") }
        #expect(leftovers.isEmpty, "no temporary files remain")
    }

    @Test func concurrentPartialWritesToOneChunkAreNotLost() throws {
        let tmp = TemporaryFolder()
        defer { tmp.remove() }
        let array = try ZarrArray.create(at: tmp("rmw.zarr"), shape: .cube(8), chunks: .cube(8), dtype: .u8)
        DispatchQueue.concurrentPerform(iterations: 64) { i in
            try? array.write(Block<UInt8>(shape: Shape(z: 1, y: 1, x: 8), repeating: UInt8(i + 1)),
                             at: Index3(z: i / 8, y: i % 8, x: 0))
        }
        let all = try array.read(Shape.cube(8).box, as: UInt8.self)
        let expected: [UInt8] = (0..<512).map { (i: Int) -> UInt8 in UInt8(i / 8 + 1) }
        #expect(all.elements == expected)
    }
}

extension ZarrRoundTripTests {
    @Test func writesIntoAV3ArrayKeepItsEncoding() throws {
        let tmp = TemporaryFolder()
        defer { tmp.remove() }
        for name in ["v3_default_u16", "v3_bigendian_zstd_u16", "v3_dotkey_u16"] {
            let url = tmp(name + ".zarr")
            try FileManager.default.copyItem(at: ZarrFixtureTests.folder.appendingPathComponent(name + ".zarr"), to: url)
            let array = try ZarrArray.open(at: url)
            let patch = testBlock(.u16, shape: Shape(z: 6, y: 3, x: 5), seed: 3)
            try array.write(patch, at: Index3(z: 4, y: 4, x: 3))  // includes the missing chunk (1, 1, 1)
            var model = try ZarrFixtureTests.expected(ZarrFixtureTests.Fixture(name: name, dtype: .u16, format: .v3)).converted(to: UInt16.self)
            model.copy(from: patch.converted(to: UInt16.self), at: Index3(z: 4, y: 4, x: 3), into: .zero)
            #expect(try ZarrArray.open(at: url).read(array.shape.box, as: UInt16.self).elements == model.elements, "\(name)")
            #expect(array.chunkExists(Index3(z: 1, y: 1, x: 1)))
        }
    }

    @Test func wholeChunkReadIsTheChunkAndMissingChunksReadAsFill() throws {
        let tmp = TemporaryFolder()
        defer { tmp.remove() }
        let array = try ZarrArray.create(at: tmp("m.zarr"), shape: Shape(z: 8, y: 8, x: 6), chunks: .cube(4), dtype: .i16, fillValue: -2)
        let chunk = testBlock(.i16, shape: .cube(4), seed: 5)
        try array.write(chunk, at: Index3(z: 4, y: 0, x: 0))
        #expect(try array.read(Box(z: 4..<8, y: 0..<4, x: 0..<4)).bitPatterns == chunk.bitPatterns)
        #expect(try array.read(Box(z: 0..<4, y: 0..<4, x: 0..<4), as: Int16.self).elements.allSatisfy { $0 == -2 })
        let edge = try array.read(Box(z: 3..<5, y: 3..<5, x: 3..<6), as: Int16.self)
        #expect(edge[0, 0, 0] == -2 && edge[1, 1, 2] == -2)
        #expect(edge[1, 0, 0] == chunk.converted(to: Int16.self)[0, 3, 3])
    }
}
