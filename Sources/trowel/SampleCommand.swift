import ArgumentParser
import Foundation
import TrowelEngine
import TrowelVolume

struct SampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Write the synthetic fossil scan and its exact ground truth, or a catalogue of synthetic specimens.",
        discussion: """
            Bones with a bright cortical shell and trabecular interior in a grainy rock matrix, with a \
            crack, ring artefacts, noise and a brightness drift along z. Deterministic: the same options \
            give the same voxels on every machine. Writes DIR/scan.zarr (OME-Zarr with pyramid) and \
            DIR/truth.zarr (uint8: 1 = bone, 2 = matrix). With --format tiff the scan is written as \
            DIR/scan/slice_00000.tif … instead, to try the TIFF import path.

            With --specimens DIR: synthetic foraminifera-like specimens for taxon identification, one \
            project per specimen (DIR/<taxon>-<i>.trowel) and DIR/catalogue.csv (project,taxon), ready \
            for 'trowel identify train DIR/catalogue.csv'. Taxa are chamber plans (globular, \
            planispiral, uniserial, biserial, trochospiral, milioline); specimens of a taxon vary in \
            size, chamber count, wall thickness, orientation, noise and contrast. Synthetic: accuracy \
            on these says the pipeline works, not how well real specimens will be identified.
            """
    )

    @Option(name: .shortAndLong, help: "Output folder of the fossil scan (must not exist).")
    var output: String?

    @Option(help: ArgumentHelp("Output folder of a catalogue of specimens, one project each (must not exist).", valueName: "dir"))
    var specimens: String?

    @Option(help: "With --specimens: how many taxa (chamber plans), 2 to \(SpecimenPhantom.Plan.allCases.count).")
    var taxa = SpecimenPhantom.Plan.allCases.count

    @Option(help: "With --specimens: specimens per taxon ('identify train' needs at least 3).")
    var perTaxon = 8

    @Option(help: "Pixels per side of each slice (default 160; a specimen's side, default 64).")
    var size: Int?

    @Option(help: "Number of slices (default: --size).")
    var slices: Int?

    @Option(help: "Voxel type: u8 or u16.")
    var dtype = "u8"

    @Option(help: "Noise seed (with --specimens: the first specimen's; each next specimen adds 1).")
    var seed: UInt64 = 1

    @Option(help: "Scan format: zarr (OME-Zarr with pyramid) or tiff (one file per slice).")
    var format = "zarr"

    @Option(help: "Voxel size recorded in the OME metadata.")
    var voxelSize = "45.5um"

    func run() throws {
        try reportingErrors {
            switch (output, specimens) {
            case (nil, nil): throw SampleError.noOutput
            case (.some, .some): throw SampleError.bothOutputs
            case (nil, .some(let dir)): return try writeSpecimens(to: URL(fileURLWithPath: dir))
            case (.some(let output), nil): try writeFossil(to: URL(fileURLWithPath: output))
            }
        }
    }

    /// The fossil phantom and its truth.
    func writeFossil(to out: URL) throws {
        let size = size ?? 160
        guard let type = DType(parsing: dtype) else { throw SampleError.dtype(dtype) }
        guard format == "zarr" || format == "tiff" else { throw SampleError.format(format) }
        let phantom = try FossilPhantom(size: size, slices: slices, dtype: type, seed: seed)
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

    /// `perTaxon` specimens of each of the first `taxa` plans, one project each, and catalogue.csv.
    func writeSpecimens(to out: URL) throws {
        let plans = Array(SpecimenPhantom.Plan.allCases)
        guard (2...plans.count).contains(taxa) else { throw SampleError.taxa(taxa, plans.count) }
        guard perTaxon >= 1 else { throw SampleError.perTaxon(perTaxon) }
        let side = size ?? 64
        guard (16...512).contains(side) else { throw SampleError.specimenSize(side) }
        if FileManager.default.fileExists(atPath: out.path) { throw SampleError.exists(out.path) }
        Interrupts.install()
        var options = VolumeImporter.Options()
        options.chunk = min(64, side)
        let bar = ProgressBar(label: "generating", unit: "specimens")
        let total = taxa * perTaxon, started = Date()
        try StagedFolder.build(at: out) { staging in
            var csv = "project,taxon\n", done = 0
            for plan in plans.prefix(taxa) {
                for i in 0..<perTaxon {
                    if Interrupts.isInterrupted { throw CancellationError() }
                    // One seed per specimen, so no two specimens of a catalogue are alike.
                    let scan = SpecimenScan(SpecimenPhantom(plan: plan, side: side, seed: seed &+ UInt64(done)))
                    let name = "\(plan.rawValue)-\(i).trowel"
                    _ = try ProjectBuilder(importOptions: options).build(from: scan, at: staging.appendingPathComponent(name))
                    csv += "\(name),\(plan.rawValue)\n"
                    done += 1
                    Terminal.showProgress(bar.line(done: done, total: total, bytes: done * side * side * side,
                                                   elapsed: Date().timeIntervalSince(started), width: Terminal.width))
                }
            }
            try csv.write(to: staging.appendingPathComponent("catalogue.csv"), atomically: true, encoding: .utf8)
        }
        Terminal.clearProgressLine()
        print("wrote \(out.path): \(total) synthetic specimens (\(side)³, seed \(seed)) of \(taxa) taxa: "
              + plans.prefix(taxa).map(\.rawValue).joined(separator: ", ") + "; catalogue.csv lists them")
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
    case noOutput
    case bothOutputs
    case taxa(Int, Int)
    case perTaxon(Int)
    case specimenSize(Int)

    var description: String {
        switch self {
        case .dtype(let d): return "--dtype \(d): use u8 or u16"
        case .format(let f): return "--format \(f): use zarr or tiff"
        case .exists(let p): return "\(p): already exists; choose another output folder or remove it first"
        case .noOutput: return "give -o DIR (the fossil scan) or --specimens DIR (a catalogue of specimens)"
        case .bothOutputs: return "-o and --specimens write different things; give one of them"
        case .taxa(let n, let most): return "--taxa \(n): use 2 to \(most) (the generator's chamber plans)"
        case .perTaxon(let n): return "--per-taxon \(n): use at least 1 (at least 3 to train a taxon model)"
        case .specimenSize(let n): return "--size \(n): a specimen's side must be 16 to 512 voxels"
        }
    }
}
