import Foundation
import FuzzSupport
import TrowelVolume

// A PNG slice as `trowel convert slices/` meets it: the header check (PNGHeader), then libpng through
// Trowel's decoder, grey or colour (luminance), 8 or 16 bits; and as one grey image (`trowel match`).

@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> Int32 {
    writeSeeds {
        var seeds: [(String, Data)] = []
        let ramp = Block<UInt16>(shape: Shape(z: 1, y: 5, x: 6), elements: (0..<30).map { UInt16($0 * 2000) })
        for (name, block) in [("u16", AnyBlock(ramp)), ("u8", AnyBlock(ramp.converted(to: UInt8.self)))] {
            let url = Scratch.fresh().appendingPathComponent("s.png")
            try PNGWriter().write(slice: 0, of: block, to: url)
            seeds.append(("\(name).png", try Data(contentsOf: url)))
        }
        return seeds
    }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ pointer: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let url = Scratch.file("in.png", fuzzData(pointer, size))
    if let stack = try? PNGStack(files: [url]) { exercise(stack) }
    _ = try? GreyImageFile.read(url)
    return 0
}

@_cdecl("fuzz_png_main")
public func main(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runLibFuzzer(argc, argv, testOneInput)
}
