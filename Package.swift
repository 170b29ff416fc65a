// swift-tools-version:6.1
// Trowel: terminal-native fossil segmentation in CT volumes. Modules are layers (see DESIGN.md):
// TrowelVolume -> TrowelML / TrowelMesh -> TrowelEngine -> TrowelUI -> TrowelTerminal -> trowel.
// TrowelMLKernels holds TrowelML's hottest loop once; TrowelMLKernelsAVX2 compiles it a second time
// for AVX2 CPUs, and TrowelML picks a copy at run time.
import PackageDescription

/// Release builds of the numeric layers drop exclusivity checks in hot loops.
let numericSettings: [SwiftSetting] = [
    .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
]

/// TrowelML's hot loops (filters, tree traversal) index only within buffers they size themselves.
let mlSettings: [SwiftSetting] = numericSettings + [
    .unsafeFlags(["-Ounchecked"], .when(configuration: .release)),
]

/// The AVX2 copy of the forest traversal (picked at run time by `ForestKernels`). On other
/// architectures the module builds for the baseline CPU and is never called.
#if arch(x86_64)
let avx2Settings: [SwiftSetting] = mlSettings + [.unsafeFlags(["-target-cpu", "haswell"])]
#else
let avx2Settings: [SwiftSetting] = mlSettings
#endif

let package = Package(
    name: "Trowel",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "trowel", targets: ["trowel"]),
        .executable(name: "trowel-bench", targets: ["trowel-bench"]),
        // The layers as libraries, for the libFuzzer harnesses in Fuzz/ (a package of their own).
        .library(name: "TrowelVolume", targets: ["TrowelVolume"]),
        .library(name: "TrowelML", targets: ["TrowelML"]),
        .library(name: "TrowelEngine", targets: ["TrowelEngine"]),
        .library(name: "TrowelUI", targets: ["TrowelUI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.1.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/swhitty/FlyingFox", from: "0.27.1"),
    ],
    targets: [
        // System libraries (apt packages named in .ci/run and README.md).
        .systemLibrary(name: "CNcursesw", pkgConfig: "ncursesw", providers: [.apt(["libncurses-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CTIFF", pkgConfig: "libtiff-4", providers: [.apt(["libtiff-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CBlosc", pkgConfig: "blosc", providers: [.apt(["libblosc-dev"])]),
        .systemLibrary(name: "COpenJPEG", pkgConfig: "libopenjp2", providers: [.apt(["libopenjp2-7-dev"])]),
        // GDCM (C++, apt libgdcm-dev, no pkg-config file) behind a small C interface, for DICOM.
        .target(
            name: "CGDCM",
            cxxSettings: [.unsafeFlags(["-I/usr/include/gdcm-3.0"])],
            linkerSettings: [
                .linkedLibrary("gdcmMSFF"), .linkedLibrary("gdcmDSED"), .linkedLibrary("gdcmDICT"),
                .linkedLibrary("gdcmIOD"), .linkedLibrary("gdcmCommon"), .linkedLibrary("stdc++"),
            ]
        ),

        // Layers.
        .target(
            name: "TrowelVolume",
            dependencies: ["CPNG", "CTIFF", "COpenJPEG", "CZlib", "CZstd", "CBlosc", "CGDCM"],
            swiftSettings: numericSettings
        ),
        .target(name: "TrowelMLKernels", swiftSettings: mlSettings),
        .target(name: "TrowelMLKernelsAVX2", dependencies: ["TrowelMLKernels"], swiftSettings: avx2Settings),
        .target(
            name: "TrowelML",
            dependencies: [
                "TrowelVolume", "TrowelMLKernels", "TrowelMLKernelsAVX2",
                .product(name: "Numerics", package: "swift-numerics"),
            ],
            swiftSettings: mlSettings
        ),
        .target(name: "TrowelMesh", dependencies: ["TrowelVolume"], swiftSettings: numericSettings),
        .target(
            name: "TrowelEngine",
            dependencies: ["TrowelVolume", "TrowelML", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .target(name: "TrowelUI", dependencies: ["TrowelEngine", .product(name: "TOMLKit", package: "TOMLKit")]),
        // The project's Zarr arrays over HTTP for neuroglancer and zarr-python (`trowel serve`, `:serve`).
        .target(name: "TrowelServe", dependencies: ["TrowelEngine", .product(name: "FlyingFox", package: "FlyingFox")]),
        .target(name: "TrowelTerminal", dependencies: ["TrowelUI", "CNcursesw"]),
        .executableTarget(
            name: "trowel",
            dependencies: ["TrowelEngine", "TrowelUI", "TrowelTerminal", "TrowelMesh", "TrowelServe", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(
            name: "trowel-bench",
            dependencies: [
                "TrowelEngine", "TrowelML", "TrowelVolume", "TrowelUI", "TrowelTerminal", "TrowelMesh", "TrowelServe",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: mlSettings
        ),

        // Tests.
        .target(name: "TrowelTestSupport", path: "Tests/TrowelTestSupport"),
        .testTarget(name: "TrowelVolumeTests", dependencies: ["TrowelVolume", "TrowelTestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "TrowelMLTests", dependencies: ["TrowelML"], resources: [.copy("Fixtures")]),
        .testTarget(name: "TrowelMeshTests", dependencies: ["TrowelMesh", "TrowelVolume", "TrowelTestSupport"]),
        .testTarget(name: "TrowelEngineTests", dependencies: ["TrowelEngine"]),
        .testTarget(name: "TrowelServeTests", dependencies: ["TrowelServe", "TrowelEngine", "TrowelVolume", "TrowelTestSupport"]),
        .testTarget(name: "TrowelEndToEndTests", dependencies: ["TrowelVolume", "TrowelEngine", "TrowelTestSupport", "trowel"]),
        .testTarget(name: "TrowelUITests", dependencies: ["TrowelUI"], exclude: ["Snapshots", "Fixtures"]),
        .testTarget(name: "TrowelTerminalTests", dependencies: ["TrowelTerminal"]),
    ],
    cxxLanguageStandard: .cxx17
)
