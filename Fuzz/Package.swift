// swift-tools-version:6.1
// libFuzzer harnesses for every parser of bytes a user hands Trowel. A package of its own so the
// main package's `swift build` and `swift test` never see the sanitizer flags. Build and run with
// `Scripts/fuzz` (it passes -sanitize=fuzzer,address); each harness is one executable.
import PackageDescription

let harnesses: [(name: String, dependencies: [Target.Dependency])] = [
    ("fuzz-zarr-metadata", [.product(name: "TrowelVolume", package: "Trowel")]),
    ("fuzz-zarr-chunk", [.product(name: "TrowelVolume", package: "Trowel")]),
    ("fuzz-tiff", [.product(name: "TrowelVolume", package: "Trowel")]),
    ("fuzz-png", [.product(name: "TrowelVolume", package: "Trowel")]),
    ("fuzz-jpeg2000", [.product(name: "TrowelVolume", package: "Trowel")]),
    ("fuzz-dicom", [.product(name: "TrowelVolume", package: "Trowel")]),
    ("fuzz-toml", [.product(name: "TrowelUI", package: "Trowel")]),
    ("fuzz-forest", [.product(name: "TrowelML", package: "Trowel")]),
    ("fuzz-taxon", [.product(name: "TrowelEngine", package: "Trowel"), .product(name: "TrowelML", package: "Trowel")]),
]

let package = Package(
    name: "TrowelFuzz",
    platforms: [.macOS(.v14)],
    dependencies: [.package(name: "Trowel", path: "..")],
    targets: [
        .target(name: "FuzzSupport", dependencies: [.product(name: "TrowelVolume", package: "Trowel")]),
    ] + harnesses.map { harness in
        .executableTarget(name: harness.name, dependencies: ["FuzzSupport"] + harness.dependencies,
                          path: "Sources/\(harness.name)")
    }
)
