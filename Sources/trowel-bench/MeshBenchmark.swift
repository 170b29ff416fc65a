import ArgumentParser
import Foundation
import TrowelMesh
import TrowelVolume

/// Blockwise meshing of the bone class of a generated phantom's ground truth, read from a Zarr
/// array as `trowel mesh` reads a segmentation: triangles per second and peak resident memory.
struct MeshBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mesh",
        abstract: "Time marching tetrahedra (and optionally smoothing/decimation) on phantom bone."
    )

    @Option(help: "Phantom side in voxels.") var size: Int = 256
    @Option(help: "Cubes per block side.") var block: Int = 64
    @Option(help: "Also decimate to this fraction (0 = skip).") var decimate: Double = 0
    @Option(help: "Also run this many smoothing iterations.") var smooth: Int = 0
    @Flag(help: "Print one JSON object.") var json = false

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
        let source = try LabelSource(array: array, voxelSize: .isotropic(10))
        let extractor = try SurfaceExtractor(blockSide: block)
        let (mesh, seconds) = try BenchSupport.time { try extractor.surface(of: FossilPhantom.Label.bone.rawValue, in: source) }
        var out: [String: Any] = [
            "volume": "\(size)^3", "block": block,
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
        out["peak_rss_mb"] = BenchSupport.peakResidentMegabytes()
        if json {
            try BenchSupport.printJSON(out)
        } else {
            for key in out.keys.sorted() { print("\(key): \(out[key]!)") }
        }
    }
}
