import ArgumentParser
import Foundation
import TrowelMesh
import TrowelVolume

/// Blockwise meshing of the bone class of a generated phantom's ground truth, read from a Zarr
/// array as `trowel mesh` reads a segmentation: triangles per second and peak resident memory.
/// By default the whole mesh is extracted, then written (what --smooth/--decimate need); with
/// --stream it is written to STL as it is made, as plain `trowel mesh` does. Peak RSS is the
/// process's high-water mark, so compare the two modes in separate runs.
struct MeshBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mesh",
        abstract: "Time marching tetrahedra (and optionally smoothing/decimation) on phantom bone."
    )

    @Option(help: "Phantom side in voxels.") var size: Int = 256
    @Option(help: "Cubes per block side.") var block: Int = 64
    @Option(help: "Also decimate to this fraction (0 = skip).") var decimate: Double = 0
    @Option(help: "Also run this many smoothing iterations.") var smooth: Int = 0
    @Flag(help: "Stream the surface to STL as it is made (no whole mesh in memory); run apart from the in-memory figure.")
    var stream = false
    @Flag(help: "Print one JSON object.") var json = false

    func validate() throws {
        if stream && (smooth > 0 || decimate > 0) {
            throw ValidationError("--stream writes the surface as it is made; --smooth and --decimate need the whole mesh")
        }
    }

    func run() throws {
        let phantom = try FossilPhantom(size: size)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("trowel-bench-mesh-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let array = try ZarrArray.create(at: folder.appendingPathComponent("truth.zarr"), shape: phantom.shape,
                                         chunks: .cube(64), dtype: .u8, cache: ChunkCache(byteBudget: 32 << 20))
        var z = 0
        while z < phantom.shape.z {
            let range = z..<min(z + 64, phantom.shape.z)
            try array.write(phantom.truthSlices(range), at: Index3(z: z, y: 0, x: 0))
            z = range.upperBound
        }
        let rssBefore = BenchSupport.peakResidentMegabytes()
        let meshingOnly = Self.resetPeakResident()
        let source = try LabelSource(array: array, voxelSize: .isotropic(10))
        let extractor = try SurfaceExtractor(blockSide: block)
        if stream {
            let stl = folder.appendingPathComponent("bone.stl").path
            let (summary, seconds) = try BenchSupport.time {
                try MeshWriter.writeSurface(of: FossilPhantom.Label.bone.rawValue, in: source, with: extractor, to: stl)
            }
            let bytes = (try? FileManager.default.attributesOfItem(atPath: stl)[.size] as? Int) ?? 0
            let out: [String: Any] = [
                "mode": "stream", "volume": "\(size)^3", "block": block,
                "triangles": summary.triangles, "vertices": summary.vertices,
                "seconds": seconds, "triangles_per_s": Double(summary.triangles) / seconds,
                "end_to_end_triangles_per_s": Double(summary.triangles) / seconds,
                "mvox_s": Double(phantom.shape.voxelCount) / seconds / 1e6,
                "stl_mb": Double(bytes) / 1_048_576,
                "peak_rss_mb_before": rssBefore, "peak_rss_mb": BenchSupport.peakResidentMegabytes(),
                "peak_rss_is_meshing_only": meshingOnly,
            ]
            try report(out)
            return
        }
        let (mesh, seconds) = try BenchSupport.time { try extractor.surface(of: FossilPhantom.Label.bone.rawValue, in: source) }
        var out: [String: Any] = [
            "mode": "in-memory", "volume": "\(size)^3", "block": block,
            "triangles": mesh.triangles.count, "vertices": mesh.positions.count,
            "seconds": seconds, "triangles_per_s": Double(mesh.triangles.count) / seconds,
            "mvox_s": Double(phantom.shape.voxelCount) / seconds / 1e6,
            "peak_rss_mb_before": rssBefore,
        ]
        var result = mesh
        if smooth > 0 {
            let (smoothed, t) = BenchSupport.time { (try? TaubinSmoothing(iterations: smooth))?.smoothed(result) ?? result }
            result = smoothed
            out["smooth_seconds"] = t
        }
        if decimate > 0 {
            let decimation = try EdgeCollapseDecimation(keepFraction: decimate)
            let (decimated, t) = BenchSupport.time { decimation.decimated(result) }
            out["decimate_seconds"] = t
            out["decimated_triangles"] = decimated.triangles.count
            result = decimated
        }
        let stl = folder.appendingPathComponent("bone.stl").path
        let (_, writeSeconds) = try BenchSupport.time { try MeshWriter.write(result, to: stl) }
        let bytes = (try? FileManager.default.attributesOfItem(atPath: stl)[.size] as? Int) ?? 0
        out["stl_mb"] = Double(bytes) / 1_048_576
        out["stl_write_seconds"] = writeSeconds
        if smooth == 0 && decimate == 0 {
            // Extraction and writing together, comparable with --stream's figure.
            out["end_to_end_triangles_per_s"] = Double(mesh.triangles.count) / (seconds + writeSeconds)
        }
        out["peak_rss_mb"] = BenchSupport.peakResidentMegabytes()
        out["peak_rss_is_meshing_only"] = meshingOnly
        try report(out)
    }

    /// Resets the peak-RSS mark to the current resident size (Linux: "5" to /proc/self/clear_refs),
    /// so peak_rss_mb measures meshing rather than making the phantom; false where that is not possible,
    /// and peak_rss_mb is then the whole process's peak.
    private static func resetPeakResident() -> Bool {
        let fd = open("/proc/self/clear_refs", O_WRONLY)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return write(fd, "5", 1) == 1
    }

    private func report(_ out: [String: Any]) throws {
        if json {
            try BenchSupport.printJSON(out)
        } else {
            for key in out.keys.sorted() { print("\(key): \(out[key]!)") }
        }
    }
}
