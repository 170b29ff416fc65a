import ArgumentParser
import Foundation
import TrowelVolume

struct SampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Write the synthetic fossil scan and its exact ground truth.",
        discussion: """
            Bones with a bright cortical shell and trabecular interior in a grainy rock matrix, with a \
            crack, ring artefacts, noise and a brightness drift along z. Deterministic: the same options \
            give the same voxels on every machine. Writes DIR/scan.zarr (OME-Zarr with pyramid) and \
            DIR/truth.zarr (uint8: 1 = bone, 2 = matrix). With --format tiff the scan is written as \
            DIR/scan/slice_00000.tif … instead, to try the TIFF import path.
            """
    )

    @Option(name: .shortAndLong, help: "Output folder (must not exist).")
    var output: String

    @Option(help: "Pixels per side of each slice.")
    var size = 160

    @Option(help: "Number of slices (default: --size).")
    var slices: Int?

    @Option(help: "Voxel type: u8 or u16.")
    var dtype = "u8"

    @Option(help: "Noise seed.")
    var seed: UInt64 = 1

    @Option(help: "Scan format: zarr (OME-Zarr with pyramid) or tiff (one file per slice).")
    var format = "zarr"

    @Option(help: "Voxel size recorded in the OME metadata.")
    var voxelSize = "45.5um"

    func run() throws {
        try reportingErrors {
            guard let type = DType(parsing: dtype) else { throw SampleError.dtype(dtype) }
            guard format == "zarr" || format == "tiff" else { throw SampleError.format(format) }
            let phantom = try FossilPhantom(size: size, slices: slices, dtype: type, seed: seed)
            let out = URL(fileURLWithPath: output)
            if FileManager.default.fileExists(atPath: out.path) { throw SampleError.exists(out.path) }
            Interrupts.install()
            var options = VolumeImporter.Options()
            options.voxelSize = try VoxelSize(parsing: voxelSize)
            try StagedFolder.build(at: out) { staging in
                let bar = ProgressBar(label: "generating", unit: "slices")
                let showScan = { (p: VolumeImporter.Progress) in
                    Terminal.showProgress(bar.line(done: p.slicesDone, total: 2 * p.slicesTotal, bytes: p.bytesDone,
                                                   elapsed: p.elapsed, width: Terminal.width))
                }
                if format == "tiff" {
                    try writeTIFFStack(phantom, into: staging.appendingPathComponent("scan"), progress: showScan)
                } else {
                    _ = try VolumeImporter(options: options).run(from: phantom, to: staging.appendingPathComponent("scan.zarr"),
                                                                 name: "fossil phantom", progress: showScan,
                                                                 isCancelled: { Interrupts.isInterrupted })
                }
                options.pyramid = false
                _ = try VolumeImporter(options: options).run(
                    from: phantom.truth, to: staging.appendingPathComponent("truth.zarr"), name: "ground truth",
                    progress: { p in
                        Terminal.showProgress(bar.line(done: p.slicesTotal + p.slicesDone, total: 2 * p.slicesTotal,
                                                       bytes: p.bytesDone, elapsed: p.elapsed, width: Terminal.width))
                    }, isCancelled: { Interrupts.isInterrupted })
            }
            Terminal.clearProgressLine()
            print("wrote \(out.path): \(phantom.summary); \(format == "tiff" ? "scan/*.tif" : "scan.zarr") + truth.zarr (1 = bone, 2 = matrix)")
        }
    }

    /// Writes the phantom as one TIFF per slice, a chunk of slices at a time.
    func writeTIFFStack(_ phantom: FossilPhantom, into folder: URL, progress: (VolumeImporter.Progress) -> Void) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let start = Date()
        var z = 0
        while z < phantom.shape.z {
            if Interrupts.isInterrupted { throw CancellationError() }
            let range = z..<min(z + 32, phantom.shape.z)
            _ = try TIFFWriter(compression: .none).writeSlices(try phantom.readSlices(range), into: folder, prefix: "slice", firstIndex: z)
            z = range.upperBound
            progress(VolumeImporter.Progress(slicesDone: z, slicesTotal: phantom.shape.z,
                                             bytesDone: z * phantom.shape.y * phantom.shape.x * phantom.dtype.size,
                                             elapsed: Date().timeIntervalSince(start)))
        }
    }
}

enum SampleError: Error, CustomStringConvertible {
    case dtype(String)
    case format(String)
    case exists(String)

    var description: String {
        switch self {
        case .dtype(let d): return "--dtype \(d): use u8 or u16"
        case .format(let f): return "--format \(f): use zarr or tiff"
        case .exists(let p): return "\(p): already exists; choose another output folder or remove it first"
        }
    }
}
