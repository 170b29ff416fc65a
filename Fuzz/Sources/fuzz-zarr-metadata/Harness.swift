import Foundation
import FuzzSupport
import TrowelVolume

// Zarr metadata as `trowel convert X.zarr` meets it: the first byte picks the file the rest is
// written to — 0 `.zarray` (v2), 1 `zarr.json` (v3), 2 `.zattrs` of an OME-Zarr group whose level 0
// is a valid array — then the folder is opened as the importer opens it and, when small, read
// (every chunk is missing, so the fill value path runs) and its attributes too.

@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> Int32 {
    writeSeeds {
        var seeds: [(String, Data)] = []
        let compressors: [ZarrCompressor] = [.none, .zlib(level: 1), .gzip(level: 5), .zstd(level: 3), .bloscDefault,
                                             .blosc(cname: "zstd", clevel: 3, shuffle: .bit, blocksize: 0)]
        for (i, c) in compressors.enumerated() {
            let folder = Scratch.fresh().appendingPathComponent("a.zarr")
            _ = try ZarrArray.create(at: folder, shape: Shape(z: 5, y: 6, x: 7), chunks: Shape(z: 4, y: 4, x: 4),
                                     dtype: DType.allCases[i % DType.allCases.count], compressor: c,
                                     attributes: ["note": .string("seed")])
            seeds.append(("zarray-\(i)", Data([0]) + (try Data(contentsOf: folder.appendingPathComponent(".zarray")))))
        }
        let group = Scratch.fresh()
        try OMEMultiscales(name: "seed", voxelSize: [2, 1.5, 1.5], levels: 2).write(to: group)
        seeds.append(("zattrs", Data([2]) + (try Data(contentsOf: group.appendingPathComponent(".zattrs")))))
        return seeds
    }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ pointer: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let data = fuzzData(pointer, size)
    guard let mode = data.first else { return 0 }
    let body = data.dropFirst()
    let folder = Scratch.fresh().appendingPathComponent("in.zarr")
    switch mode % 3 {
    case 0: Scratch.file(".zarray", Data(body), in: folder)
    case 1: Scratch.file("zarr.json", Data(body), in: folder)
    default:
        Scratch.file(".zgroup", Data(#"{"zarr_format": 2}"#.utf8), in: folder)
        Scratch.file(".zattrs", Data(body), in: folder)
        _ = try? ZarrArray.create(at: folder.appendingPathComponent("0"), shape: Shape(z: 3, y: 4, x: 5),
                                  chunks: Shape(z: 2, y: 2, x: 2), dtype: .u16)
    }
    guard let source = try? ZarrSource(url: folder) else { return 0 }
    _ = source.summary
    _ = source.recordedVoxelSize
    // What `trowel convert` asks of a source before it reads a slice.
    let importer = VolumeImporter()
    _ = importer.minimumDiskBytes(for: source)
    _ = try? importer.slabDepth(for: source)
    for level in source.volume.levels {
        _ = try? level.readAttributes()
        if let count = level.shape.checkedVoxelCount, count <= fuzzVoxelLimit, !level.shape.isEmpty {
            _ = try? level.read(Box(z: 0..<level.shape.z, y: 0..<level.shape.y, x: 0..<level.shape.x))
        }
    }
    return 0
}

@_cdecl("fuzz_zarr_metadata_main")
public func main(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runLibFuzzer(argc, argv, testOneInput)
}
