import Foundation
import Testing
import TrowelMesh
import TrowelVolume

/// Streaming export (`MeshWriter.writeSurface`) writes the same bytes as extracting the whole mesh
/// and writing it, and leaves nothing behind when it is cancelled or finds no surface.
@Suite struct MeshStreamingTests {
    let voxel = VoxelSize.isotropic(2)

    /// Phantom bone, 40 × 44 × 48 so that blocks of 8 cubes leave partial blocks on every axis.
    func boneSource() throws -> LabelSource {
        let truth = try FossilPhantom(size: 48, slices: 40).truthSlices(0..<40)
        let cropped = truth.cropped(to: Box(lower: Index3(z: 0, y: 0, x: 0), upper: Index3(z: 40, y: 44, x: 48)))
        return LabelSource(block: cropped, voxelSize: voxel)
    }

    @Test(arguments: [1, 2], ["stl", "obj"])
    func streamedFileIsByteIdenticalToInMemory(downsample: Int, format: String) throws {
        let source = try boneSource()
        let extractor = try SurfaceExtractor(blockSide: 8, downsample: downsample)
        let bone = FossilPhantom.Label.bone.rawValue
        let folder = try MeshFixtures.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let mesh = try extractor.surface(of: bone, in: source)
        let whole = folder.appendingPathComponent("whole.\(format)"), streamed = folder.appendingPathComponent("streamed.\(format)")
        try MeshWriter.write(mesh, to: whole.path)
        var blocks = 0
        let summary = try MeshWriter.writeSurface(of: bone, in: source, with: extractor, to: streamed.path,
                                                  progress: { done, _ in blocks = done })
        #expect(blocks == 6 * 6 * 7 || downsample == 2, "every block is reported")
        #expect(mesh.triangles.count > 1000)
        #expect(summary == mesh.summary)
        #expect(summary.triangles == mesh.triangles.count && summary.vertices == mesh.positions.count)
        #expect(summary.surfaceArea == mesh.surfaceArea && summary.enclosedVolume == mesh.enclosedVolume)
        let a = try Data(contentsOf: whole), b = try Data(contentsOf: streamed)
        #expect(a.count == b.count && a == b, "\(format), downsample \(downsample): \(a.count) vs \(b.count) bytes")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["streamed.\(format)", "whole.\(format)"],
                "no temporary or scratch files are left")
        let check = try MeshFixtures.check(streamed)
        #expect(check.watertight && check.winding_consistent)
        #expect(check.faces == summary.triangles)
    }

    @Test func seamsAreWeldedAcrossSlabsAsInOneBlock() throws {
        // One block has no seams at all; blocks of 8 weld across x, y and z seams and evict the
        // z-seams of finished slabs, and must still share every vertex.
        let source = try boneSource()
        let folder = try MeshFixtures.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let one = try SurfaceExtractor(blockSide: 64).surface(of: FossilPhantom.Label.bone.rawValue, in: source)
        let summary = try MeshWriter.writeSurface(of: FossilPhantom.Label.bone.rawValue, in: source,
                                                  with: SurfaceExtractor(blockSide: 8),
                                                  to: folder.appendingPathComponent("b.obj").path)
        #expect(summary.vertices == one.positions.count && summary.triangles == one.triangles.count)
    }

    @Test(arguments: ["stl", "obj"])
    func cancelledStreamLeavesNothing(format: String) throws {
        let folder = try MeshFixtures.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = LabelSource(block: MeshFixtures.sphere(), voxelSize: voxel)
        var polls = 0
        #expect(throws: MeshError.cancelled) {
            try MeshWriter.writeSurface(of: 1, in: source, with: SurfaceExtractor(blockSide: 8),
                                        to: folder.appendingPathComponent("m.\(format)").path,
                                        isCancelled: { polls += 1; return polls > 40 })
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    }

    @Test(arguments: ["stl", "obj"])
    func emptySurfaceWritesNothing(format: String) throws {
        let folder = try MeshFixtures.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = LabelSource(block: MeshFixtures.sphere(side: 16, radius: 4), voxelSize: voxel)
        let summary = try MeshWriter.writeSurface(of: 9, in: source, with: SurfaceExtractor(blockSide: 8),
                                                  to: folder.appendingPathComponent("m.\(format)").path)
        #expect(summary == MeshSummary())
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    }

    @Test func streamingRefusesAnUnknownFormatOrFolderBeforeWork() throws {
        let source = LabelSource(block: MeshFixtures.sphere(side: 16, radius: 4), voxelSize: voxel)
        var polled = false
        #expect(throws: MeshError.unknownFormat("/tmp/x.ply")) {
            try MeshWriter.writeSurface(of: 1, in: source, with: SurfaceExtractor(), to: "/tmp/x.ply", isCancelled: { polled = true; return false })
        }
        #expect(throws: MeshError.self) {
            try MeshWriter.writeSurface(of: 1, in: source, with: SurfaceExtractor(), to: "/nonexistent-trowel/x.stl",
                                        isCancelled: { polled = true; return false })
        }
        #expect(!polled)
    }
}
