import Foundation
import FuzzSupport
import TrowelVolume

// A JPEG 2000 slice as `trowel convert slices/` meets it: the main header (JPEG2000Header, read through
// openjpeg without decoding a tile), then the decode into Trowel's block. The first byte picks the
// file name's extension (.jp2 container or .j2k codestream); seeds are the fixtures (Scripts/fuzz).

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ pointer: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let data = fuzzData(pointer, size)
    guard let first = data.first else { return 0 }
    let url = Scratch.file(first & 1 == 0 ? "in.jp2" : "in.j2k", Data(data.dropFirst()))
    if let stack = try? JPEG2000Stack(files: [url]) { exercise(stack) }
    return 0
}

@_cdecl("fuzz_jpeg2000_main")
public func main(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runLibFuzzer(argc, argv, testOneInput)
}
