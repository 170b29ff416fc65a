import ArgumentParser
import Foundation
import TrowelEngine
import TrowelVolume

struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Make a project folder from a scan: PNG/TIFF/JPEG 2000 slices, multi-page TIFF, DICOM, raw, or Zarr.",
        discussion: """
            INPUT is a folder of slices, a glob ('scan/slice_*.tif'), slice files (sorted naturally, so \
            s2 comes before s10; PNG, TIFF, or greyscale JPEG 2000 .jp2/.j2k up to 16-bit, kept \
            exactly), one multi-page TIFF, a raw file (with --shape and --dtype), or a Zarr \
            array or OME-Zarr image (v2 or v3). A folder of DICOM files (searched recursively) or one \
            multi-frame DICOM file imports one series: slices ordered by position along the slice \
            normal, voxel size from PixelSpacing and the slice positions, RescaleSlope/Intercept \
            applied (int16 Hounsfield units where the values fit, else uint16 or float32); the largest \
            series unless --series says otherwise (--list-series shows them). The scan is streamed \
            slab by slab into OME-Zarr with a mean-downsampled pyramid; nothing is left behind if it \
            fails or is interrupted.
            """
    )

    @Argument(help: "The scan: folder, glob, files, DICOM folder or file, raw file or Zarr.")
    var inputs: [String]

    @Option(name: .shortAndLong, help: "The project folder to create, e.g. scan.trowel.")
    var output: String?

    @Option(help: "DICOM input: the SeriesInstanceUID (or a prefix only it has) to import; the largest series by default.")
    var series: String?

    @Flag(help: "DICOM input: import a series whose slice spacing is uneven (a missing slice) at its usual spacing.")
    var allowGaps = false

    @Flag(help: "DICOM input: list the series found and convert nothing.")
    var listSeries = false

    @Option(help: "Physical voxel size: 45.5um, 0.03mm, or z,y,x like 50,45.5,45.5um.")
    var voxelSize: String?

    @Option(help: "Storage chunk side in voxels.")
    var chunk = 64

    @Option(help: "Chunk compression: zstd, blosc-zstd, blosc-lz4, zlib, gzip or none, optionally :level (blosc adds byte shuffle).")
    var compressor = "zstd"

    @Option(help: "Memory cap for the whole import, e.g. 512M or 2G (default 1G).")
    var memory: String?

    @Option(help: "Raw input: Z,Y,X (slices, rows, columns).")
    var shape: String?

    @Option(help: "Raw input: u8, u16, i16, u32, i32, f32 or f64.")
    var dtype: String?

    @Option(help: "Raw input: little or big.")
    var endian = "little"

    @Option(help: "Raw input: bytes to skip at the start of the file.")
    var headerBytes = 0

    @Flag(help: "Print the result as JSON.")
    var json = false

    func validate() throws {
        guard output != nil || listSeries else { throw ValidationError("Missing expected argument '--output <output>'") }
        guard (8...1024).contains(chunk) else { throw ValidationError("--chunk must be between 8 and 1024") }
        if shape != nil || dtype != nil {
            guard shape != nil, dtype != nil else { throw ValidationError("a raw volume needs both --shape and --dtype") }
            guard inputs.count == 1 else { throw ValidationError("a raw volume is one file") }
        }
    }

    func run() throws {
        try reportingErrors {
            if listSeries {
                let listing = DICOMSeriesListing(try DICOMSeriesSet(resolving: inputs), chosen: series)
                print(json ? try JSONOutput.text(listing) : listing.text)
                return
            }
            guard let output else { return }
            let source = try makeSource()
            var options = VolumeImporter.Options()
            options.chunk = chunk
            guard let codec = ZarrCompressor(parsing: compressor) else { throw ConvertError.compressor(compressor) }
            if let problem = codec.problem { throw ConvertError.compressorSetting(compressor, problem) }
            options.compressor = codec
            if let voxelSize { options.voxelSize = try VoxelSize(parsing: voxelSize) }
            if let memory { options.memoryBudget = try ByteCount(parsing: memory) }
            Interrupts.install()
            let bar = ProgressBar(label: "converting", unit: "slices")
            let (project, result) = try ProjectBuilder(importOptions: options).build(
                from: source, at: URL(fileURLWithPath: output),
                progress: { p in
                    Terminal.showProgress(bar.line(done: p.slicesDone, total: p.slicesTotal, bytes: p.bytesDone,
                                                   elapsed: p.elapsed, width: Terminal.width))
                },
                isCancelled: { Interrupts.isInterrupted })
            Terminal.clearProgressLine()
            let mbps = Double(result.bytesRead) / max(result.seconds, 1e-9) / 1_048_576
            if json {
                let object: [String: Any] = [
                    "project": project.url.path, "source": source.summary, "shape": source.shape.array,
                    "dtype": source.dtype.numpyName, "levels": result.levels.map(\.array),
                    "seconds": result.seconds, "mb_per_s": mbps, "slab_slices": result.slabDepth,
                    "peak_rss_mb": Double(ProcessMemory.peakResidentBytes) / 1_048_576,
                ]
                print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self))
            } else {
                print(String(format: "created %@: %@, %d pyramid level(s), %.1f s (%.1f MB/s)", project.url.path,
                             source.shape.description, result.levels.count, result.seconds, mbps))
            }
        }
    }

    /// Picks the reader from the options and what the inputs are.
    func makeSource() throws -> any SliceSource {
        if let shape, let dtype {
            guard let s = Shape(parsingOption: shape), !s.isEmpty else { throw ConvertError.shape(shape) }
            guard let t = DType(parsing: dtype) else { throw ConvertError.dtype(dtype) }
            guard let order = ByteOrder(rawValue: endian.lowercased()) else { throw ConvertError.endian(endian) }
            return try RawVolume(file: URL(fileURLWithPath: inputs[0]), shape: s, dtype: t, byteOrder: order,
                                 headerBytes: headerBytes)
        }
        if inputs.count == 1, ZarrSource.isZarr(URL(fileURLWithPath: inputs[0])) {
            return try ZarrSource(url: URL(fileURLWithPath: inputs[0]))
        }
        if DICOMSeriesSet.holdsDICOM(inputs) { return try makeDICOMSource() }
        if series != nil || allowGaps { throw ConvertError.notDICOM(series != nil ? "--series" : "--allow-gaps") }
        return try SliceFiles(resolving: inputs).makeSource()
    }

    /// The series to import (the largest, or --series), saying on stderr which one of several it is
    /// and anything its geometry needed (no positions, --allow-gaps).
    func makeDICOMSource() throws -> DICOMVolume {
        let found = try DICOMSeriesSet(resolving: inputs)
        let chosen = try found.choose(series)
        let volume = try DICOMVolume(series: chosen, allowGaps: allowGaps)
        if found.series.count > 1 && series == nil {
            note("\(found.series.count) DICOM series found; converting the largest, \(chosen.uid) (\(chosen.slices) slices); --list-series shows the others, --series UID picks one")
        }
        if let line = volume.note { note(line) }
        return volume
    }

    /// One line on stderr about what the import assumed, e.g. which of several series it took.
    private func note(_ line: String) {
        FileHandle.standardError.write(Data("trowel: \(line)\n".utf8))
    }
}

enum ConvertError: Error, CustomStringConvertible {
    case shape(String), dtype(String), endian(String), compressor(String), compressorSetting(String, String), notDICOM(String)

    var description: String {
        switch self {
        case .shape(let s): return "--shape \(s): give three positive sizes Z,Y,X, e.g. 512,1024,1024"
        case .dtype(let d): return "--dtype \(d): use u8, u16, i16, u32, i32, f32 or f64"
        case .endian(let e): return "--endian \(e): use little or big"
        case .compressorSetting(let c, let problem): return "--compressor \(c): \(problem)"
        case .compressor(let c): return "--compressor \(c): use blosc-zstd, blosc-lz4, zstd, zlib, gzip or none, optionally with :level"
        case .notDICOM(let option): return "\(option) applies to DICOM input, and these inputs hold no DICOM files"
        }
    }
}
