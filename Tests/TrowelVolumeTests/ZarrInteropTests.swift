import Foundation
import Testing
import TrowelTestSupport
@testable import TrowelVolume

/// zarr-python reads what Trowel writes (Scripts/check-zarr-interop.py). The reverse direction is
/// covered by the committed fixtures (ZarrFixtureTests).
@Suite struct ZarrInteropTests {
    func pyramidLevel(_ shape: Shape, level: Int) -> Block<UInt16> {
        var block = Block<UInt16>(shape: shape, repeating: 0)
        for z in 0..<shape.z {
            for y in 0..<shape.y {
                for x in 0..<shape.x { block[z, y, x] = UInt16((z * 100 + y * 10 + x + 1000 * level) % 65536) }
            }
        }
        return block
    }

    @Test func zarrPythonReadsTrowelsOMEGroup() throws {
        let tmp = TemporaryFolder()
        defer { tmp.remove() }
        let group = tmp("volume.zarr")
        let shapes = [Shape(z: 10, y: 9, x: 7), Shape(z: 5, y: 5, x: 4)]
        let compressors: [ZarrCompressor] = [.bloscDefault, .zstd(level: 3)]
        for level in 0..<2 {
            let array = try ZarrArray.create(at: group.appendingPathComponent("\(level)"), shape: shapes[level], chunks: .cube(4),
                                             dtype: .u16, compressor: compressors[level],
                                             dimensionSeparator: level == 0 ? "/" : ".")
            try array.write(pyramidLevel(shapes[level], level: level), at: .zero)
        }
        let f = try ZarrArray.create(at: group.appendingPathComponent("f"), shape: Shape(z: 9, y: 6, x: 5), chunks: .cube(4),
                                     dtype: .f32, compressor: .gzip(level: 5), fillValue: .nan)
        var slab = Block<Float>(shape: Shape(z: 4, y: 6, x: 5), repeating: 0)
        for z in 0..<4 { for y in 0..<6 { for x in 0..<5 { slab[z, y, x] = Float(z) + Float(y) / 8 + Float(x) / 64 } } }
        try f.write(slab, at: .zero)
        try OMEMultiscales(name: "interop", voxelSize: [2.5, 1.5, 0.75], levels: 2).write(to: group)

        let (status, text) = try PythonScript.run("check-zarr-interop.py", [group.path, "2.5", "1.5", "0.75"])
        #expect(status == 0, "check-zarr-interop.py: \(text)")
        #expect(text.hasSuffix("ok"))
    }
}
