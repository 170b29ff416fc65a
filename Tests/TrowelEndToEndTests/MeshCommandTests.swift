import Foundation
import Testing
import TrowelVolume

/// `trowel mesh` as a user runs it on a converted sample scan and its ground truth; the result is
/// checked by trimesh, and bad input gives one line and exit status 1.
@Suite(.serialized) struct MeshCommandTests {
    let sample = TrowelBinary.repository.appendingPathComponent("SampleData/fossil")

    /// A project made from a 48³ phantom (`trowel sample` then `trowel convert`), and its truth.zarr.
    func project(_ scratch: Scratch) throws -> (project: URL, truth: URL) {
        let data = scratch("sample")
        var r = try TrowelBinary.run(["sample", "-o", data.path, "--size", "48", "--voxel-size", "10um"])
        #expect(r.status == 0, "sample failed: \(r.stderr)")
        let project = scratch("scan.trowel")
        r = try TrowelBinary.run(["convert", data.appendingPathComponent("scan.zarr").path, "-o", project.path])
        #expect(r.status == 0, "convert failed: \(r.stderr)")
        return (project, data.appendingPathComponent("truth.zarr"))
    }

    func trimesh(_ url: URL) throws -> [String: Any] {
        let python = FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/trowel/venv/bin/python").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ProcessInfo.processInfo.environment["TROWEL_PYTHON"] ?? python)
        process.arguments = [TrowelBinary.repository.appendingPathComponent("Scripts/check-mesh.py").path, url.path]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    }

    @Test func meshesBoneOfTheTruthIntoAWatertightSTL() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let (project, truth) = try project(scratch)
        let stl = scratch("bone.stl")
        let r = try TrowelBinary.run(["mesh", project.path, "--class", "bone", "--from", truth.path, "-o", stl.path, "--json"])
        #expect(r.status == 0, "mesh failed: \(r.stderr)")
        #expect(r.stderr.isEmpty, "a pipe gets no progress bar: \(r.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any] ?? [:]
        let check = try trimesh(stl)
        #expect(check["watertight"] as? Bool == true && check["winding_consistent"] as? Bool == true)
        #expect(check["faces"] as? Int == summary["triangles"] as? Int)
        // Volume in mm³ (µm³ / 1e9) matches the bone voxels × (10 µm)³ within 3%.
        let bone = try MultiscaleVolume.open(at: truth)
        let voxels = try bone.levels[0].read(bone.shape.box, as: UInt8.self).elements.filter { $0 == 1 }.count
        let expected = Double(voxels) * 1000 / 1e9
        let volume = try #require(summary["volume_mm3"] as? Double)
        #expect(abs(volume - expected) / expected < 0.03, "\(volume) mm³ vs \(expected) mm³ of voxels")

        // Smoothed, decimated OBJ into the project's meshes folder by default.
        let r2 = try TrowelBinary.run(["mesh", project.path, "--class", "1", "--from", truth.path, "--smooth", "3", "--decimate", "0.5",
                                       "-o", scratch("bone.obj").path])
        #expect(r2.status == 0, "mesh failed: \(r2.stderr)")
        let obj = try trimesh(scratch("bone.obj"))
        #expect(obj["watertight"] as? Bool == true && obj["winding_consistent"] as? Bool == true)
        let r3 = try TrowelBinary.run(["mesh", project.path, "--class", "matrix", "--from", truth.path, "--downsample", "2"])
        #expect(r3.status == 0, "mesh failed: \(r3.stderr)")
        #expect(FileManager.default.fileExists(atPath: project.appendingPathComponent("meshes/truth-matrix.stl").path))
    }

    @Test func badInputIsOneLineAndExitOne() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let (project, truth) = try project(scratch)
        let cases: [([String], String)] = [
            (["--class", "shell", "--from", truth.path, "-o", scratch("x.stl").path], "--class shell: no such class"),
            (["--class", "bone", "--segmentation", "2026-01-01-abc", "-o", scratch("x.stl").path], "segmentations/2026-01-01-abc.zarr: no such segmentation"),
            (["--class", "bone", "--from", truth.path, "-o", scratch("missing/x.stl").path], "cannot write the mesh (no such folder"),
            (["--class", "bone", "--from", truth.path, "-o", scratch("x.ply").path], "unknown mesh format"),
            (["--class", "bone", "--from", project.appendingPathComponent("volume.zarr").path, "--decimate", "2", "-o", scratch("x.stl").path], "--decimate 2.0"),
            (["--class", "bone", "--labels", "-o", scratch("x.stl").path], "has no labels.zarr yet"),
        ]
        for (arguments, message) in cases {
            let r = try TrowelBinary.run(["mesh", project.path] + arguments)
            #expect(r.status == 1, "\(arguments)")
            #expect(r.stderr.hasPrefix("trowel: ") && r.stderr.contains(message) && r.stderr.split(separator: "\n").count == 1,
                    "\(arguments): \(r.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: scratch("x.stl").path))
    }
}
