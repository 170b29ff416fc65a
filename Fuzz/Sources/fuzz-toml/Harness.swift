import Foundation
import FuzzSupport
import TrowelUI

// `~/.config/trowel/config.toml` and theme files as the viewer reads them at start: TOMLKit (toml++)
// under Trowel's TOMLTable, then the settings, key remappings and colours. Seeds: Themes/*.toml and
// the README's config example (Scripts/fuzz).

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ pointer: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let text = String(decoding: fuzzData(pointer, size), as: UTF8.self)
    _ = try? TOMLTable(parsing: text)
    _ = try? Config(toml: text)
    _ = try? Theme(toml: text, fallbackName: "fuzz")
    return 0
}

@_cdecl("fuzz_toml_main")
public func main(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runLibFuzzer(argc, argv, testOneInput)
}
