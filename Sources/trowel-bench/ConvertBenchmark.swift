import ArgumentParser
import Foundation
import TrowelVolume

/// `trowel-bench convert`: imports a generated u16 TIFF stack (or, with `--dicom`, a series of
/// uncompressed 12-bit CT slices with RescaleIntercept -1024) with the real `trowel convert`, once
/// with the default slab and once with --memory set to a quarter of the scan's size, and reports
/// MB/s and each run's peak RSS (as the child measured itself: `trowel convert --json` reports its
/// VmHWM, since rusage's maxrss survives exec and would include the parent's pages).
struct ConvertBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "convert",
                                                    abstract: "Import speed and memory of trowel convert on a TIFF stack or a DICOM series.")

    @Option(help: "Scan side in voxels (a cube of u16).")
    var size = 512

    @Option(help: "Where the generated TIFF stack (or DICOM series) is kept between runs.")
    var workDir = "/tmp/trowel-bench-convert"

    @Flag(help: "Import a DICOM series (SIZE slices of SIZE² uncompressed 12-bit CT, HU = stored - 1024) instead of TIFF.")
    var dicom = false

    @Flag(help: "Print one JSON object.")
    var json = false

    func run() throws {
        let work = URL(fileURLWithPath: workDir)
        let stack = work.appendingPathComponent(dicom ? "dicom-\(size)" : "tiff-\(size)")
        if dicom { try prepareSeries(at: stack) } else { try prepareStack(at: stack) }
        let trowel = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("trowel").path
        guard FileManager.default.isExecutableFile(atPath: trowel) else {
            throw BenchError("\(trowel): not found; build it with 'swift build -c release' first")
        }
        let scanBytes = size * size * size * 2
        let budget = max(64 << 20, scanBytes / 4)
        var runs: [String: Any] = [:]
        for (name, extra) in [("default", [String]()), ("capped", ["--memory", "\(budget >> 20)M"])] {
            let out = work.appendingPathComponent("\(name).trowel")
            try? FileManager.default.removeItem(at: out)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: trowel)
            process.arguments = ["convert", stack.path, "-o", out.path, "--json"] + extra
            let pipe = Pipe()
            process.standardOutput = pipe
            let (_, seconds) = try BenchSupport.time {
                try process.run()
                process.waitUntilExit()
            }
            let report = pipe.fileHandleForReading.readDataToEndOfFile()
            guard process.terminationStatus == 0,
                  let child = try JSONSerialization.jsonObject(with: report) as? [String: Any],
                  let peak = child["peak_rss_mb"] as? Double else {
                throw BenchError("trowel convert \(name) failed (status \(process.terminationStatus))")
            }
            var entry: [String: Any] = ["seconds": seconds, "mb_s": Double(scanBytes) / seconds / 1_048_576, "peak_rss_mb": peak,
                                        "slab_slices": child["slab_slices"] ?? 0]
            if name == "capped" {
                entry["memory_mb"] = budget >> 20
                entry["within_memory"] = peak <= Double(budget >> 20)
            }
            runs[name] = entry
            try? FileManager.default.removeItem(at: out)
        }
        let scan = dicom ? "\(size) DICOM slices of \(size)^2 (12-bit CT, uncompressed, to int16 HU)" : "\(size)^3 u16 TIFF slices"
        let result: [String: Any] = ["benchmark": dicom ? "convert-dicom" : "convert", "scan": scan, "scan_mb": scanBytes >> 20,
                                     "default": runs["default"]!, "capped": runs["capped"]!]
        if json {
            try BenchSupport.printJSON(result)
        } else {
            for key in ["default", "capped"] {
                let r = runs[key] as! [String: Any]
                print(String(format: "%@: %.1f MB/s, peak RSS %.0f MB%@", key, r["mb_s"] as! Double, r["peak_rss_mb"] as! Double,
                             key == "capped" ? " (--memory \(budget >> 20)M)" : ""))
            }
        }
    }

    /// Writes the phantom as a DICOM series, one file per slice (12 bits: the u16 phantom / 16), with
    /// file names in reverse z order so the import must sort by position; kept once complete.
    func prepareSeries(at folder: URL) throws {
        let marker = folder.appendingPathComponent(".complete")
        if FileManager.default.fileExists(atPath: marker.path) { return }
        try? FileManager.default.removeItem(at: folder)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let phantom = try FossilPhantom(size: size, dtype: .u16)
        let writer = DICOMSliceWriter(seriesUID: "1.2.826.0.1.3680043.10.1338.99.\(size)", rows: size, columns: size,
                                      pixelSpacing: (0.05, 0.05), sliceSpacing: 0.05)
        for z in 0..<size {
            guard case .u16(let slice) = try phantom.readSlices(z..<(z + 1)) else { throw BenchError("phantom: not u16") }
            try writer.write(slice.elements.map { $0 >> 4 }, index: z, to: folder.appendingPathComponent("IM\(size - z)"))
        }
        _ = FileManager.default.createFile(atPath: marker.path, contents: Data())
    }

    /// Writes the phantom as one uncompressed TIFF per slice, unless a complete stack is already there.
    func prepareStack(at folder: URL) throws {
        let marker = folder.appendingPathComponent(".complete")
        if FileManager.default.fileExists(atPath: marker.path) { return }
        try? FileManager.default.removeItem(at: folder)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let phantom = try FossilPhantom(size: size, dtype: .u16)
        var z = 0
        while z < size {
            let range = z..<min(z + 32, size)
            _ = try TIFFWriter(compression: .none).writeSlices(try phantom.readSlices(range), into: folder, prefix: "slice", firstIndex: z)
            z = range.upperBound
        }
        _ = FileManager.default.createFile(atPath: marker.path, contents: Data())
    }
}
