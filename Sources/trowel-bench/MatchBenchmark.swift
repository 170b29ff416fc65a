import ArgumentParser
import Foundation
import TrowelEngine
import TrowelML
import TrowelVolume

/// Seconds to locate one image in a generated scan (default 512³, the fossil phantom as an
/// OME-Zarr project with its pyramid): a full-resolution slice turned, magnified, given another
/// contrast and noise, then found by `SectionLocator` across all three axes as `trowel match` does.
/// Reports whether the slice (±1) and angle (±3°) were found, and peak resident memory.
struct MatchBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "match",
        abstract: "Time trowel match: one rotated, scaled, noised slice located in a generated scan."
    )

    @Option(help: "Scan side in voxels.") var size = 512
    @Option(help: "Axis of the slice the image is made from.") var axis = "z"
    @Option(help: "Index of that slice (default: 47 % of the side).") var slice: Int?
    @Option(help: "Rotation of the image, degrees counter-clockwise.") var angle = 37.0
    @Option(help: "Magnification of the image.") var scale = 1.1
    @Option(help: "Folder for the generated project (kept between runs).") var workDir = "/tmp/trowel-bench"
    @Flag(help: "Print one JSON object.") var json = false

    func run() throws {
        guard let sliceAxis = ["z": Axis.z, "y": .y, "x": .x][axis] else { throw ValidationError("--axis: x, y or z") }
        let phantom = try FossilPhantom(size: size)
        let work = URL(fileURLWithPath: workDir)
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let url = work.appendingPathComponent("fossil-\(size)x\(size).trowel")
        if !FileManager.default.fileExists(atPath: url.appendingPathComponent(Project.databaseName).path) {
            FileHandle.standardError.write(Data("generating \(url.path) (once)…\n".utf8))
            _ = try ProjectBuilder().build(from: phantom, at: url)
        }
        let project = try Project.open(at: url)
        let volume = try MultiscaleVolume.open(at: project.volumeURL)
        let index = slice ?? size * 47 / 100
        let plane = GreyPlane(height: size, width: size,
                              values: try volume.read(Box.slice(axis: sliceAxis, at: index, of: volume.shape)).converted(to: Float.self).elements)
        let canvas = plane.canvas(angle: angle, scale: scale)
        let mean = plane.values.reduce(0, +) / Float(plane.count)
        var image = plane.section(at: SectionPose(angle: angle, scale: scale, offset: (0, 0)), height: canvas.height, width: canvas.width, fill: mean)
        var state: UInt64 = 7
        for i in image.values.indices {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let u = Float(state >> 40) / Float(1 << 24) - 0.5
            image.values[i] = 0.7 * image.values[i] + 25 + 12 * u
        }
        let before = BenchSupport.cpuSeconds()
        let (found, seconds) = try BenchSupport.time { try SectionLocator(top: 5).locate(image, in: volume, file: "generated") }
        let cpu = BenchSupport.cpuSeconds() - before
        let best = found.first
        let angleError = best.map { m -> Double in
            let d = Swift.abs((m.pose.angle - angle).truncatingRemainder(dividingBy: 360))
            return min(d, 360 - d)
        }
        let out: [String: Any] = [
            "benchmark": "match", "volume": "\(size)^3", "image": [image.height, image.width], "axis": axis, "slice": index,
            "angle": angle, "scale": scale, "seconds": seconds, "cpu_seconds": cpu,
            "found_axis": best?.axis.description ?? "", "found_slice": best?.slice ?? -1, "found_angle": best?.pose.angle ?? -1,
            "found_scale": best?.pose.scale ?? -1, "ssim": best?.ssim ?? 0, "ncc": best?.ncc ?? 0, "dice": best?.dice ?? 0,
            "correct": best.map { $0.axis == sliceAxis && Swift.abs($0.slice - index) <= 1 && (angleError ?? 99) <= 3 } ?? false,
            "peak_rss_mb": BenchSupport.peakResidentMegabytes(),
        ]
        if json {
            try BenchSupport.printJSON(out)
        } else {
            print(String(format: "match in %@³: %.2f s (%.2f s CPU); found %@ %d at %.1f° ×%.3f (truth %@ %d at %.1f° ×%.3f), ssim %.3f ncc %.3f dice %.3f",
                         "\(size)", seconds, cpu, best?.axis.description ?? "-", best?.slice ?? -1, best?.pose.angle ?? -1, best?.pose.scale ?? -1,
                         axis, index, angle, scale, best?.ssim ?? 0, best?.ncc ?? 0, best?.dice ?? 0))
        }
    }
}
