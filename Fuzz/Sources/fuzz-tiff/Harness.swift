import Foundation
import FuzzSupport
import TrowelVolume

// A TIFF file as `trowel convert stack.tif` meets it: libtiff through Trowel's handle, the page
// layout code (TIFFLayout), ImageJ's contiguous pages, then the pages decoded; and as one grey
// image (`trowel match`). Seeds: the test fixtures (Scripts/fuzz) and what TIFFWriter writes.

@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> Int32 {
    writeSeeds {
        var seeds: [(String, Data)] = []
        let ramp = Block<UInt16>(shape: Shape(z: 3, y: 5, x: 6), elements: (0..<90).map { UInt16($0 * 700) })
        for (name, compression) in [("none", TIFFWriter.Compression.none), ("deflate", .deflate)] {
            for dtype in [DType.u8, .u16, .f32] {
                let url = Scratch.fresh().appendingPathComponent("s.tif")
                var block = AnyBlock(ramp)
                if dtype == .u8 { block = AnyBlock(ramp.converted(to: UInt8.self)) }
                if dtype == .f32 { block = AnyBlock(ramp.converted(to: Float.self)) }
                try TIFFWriter(compression: compression).write(block, to: url)
                seeds.append(("\(name)-\(dtype.numpyName).tif", try Data(contentsOf: url)))
            }
        }
        return seeds
    }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ pointer: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let url = Scratch.file("in.tif", fuzzData(pointer, size))
    if let stack = try? TIFFStack(files: [url]) { exercise(stack) }
    if size < 1 << 16 { _ = try? GreyImageFile.read(url) }
    return 0
}

@_cdecl("fuzz_tiff_main")
public func main(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runLibFuzzer(argc, argv, testOneInput)
}
