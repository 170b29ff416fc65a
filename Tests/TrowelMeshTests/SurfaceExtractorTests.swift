import Foundation
import Testing
import TrowelMesh
import TrowelVolume

/// Marching tetrahedra on binary masks: closed, manifold, outward, welded across block seams, and
/// checked by trimesh (an independent implementation) through Scripts/check-mesh.py. The files
/// checked are streamed (`MeshWriter.writeSurface`), as `trowel mesh` writes them.
@Suite struct SurfaceExtractorTests {
    let voxel = VoxelSize.isotropic(2)

    @Test func sphereIsWatertightWithTheVoxelVolume() throws {
        let block = MeshFixtures.sphere()
        let voxels = block.elements.filter { $0 == 1 }.count
        let source = LabelSource(block: block, voxelSize: voxel)
        let mesh = try SurfaceExtractor().surface(of: 1, in: source)
        let folder = try MeshFixtures.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let stl = folder.appendingPathComponent("sphere.stl")
        #expect(try MeshWriter.writeSurface(of: 1, in: source, with: SurfaceExtractor(), to: stl.path) == mesh.summary)
        let check = try MeshFixtures.check(stl)
        let expected = Double(voxels) * voxel.voxelVolume
        #expect(check.watertight && check.winding_consistent)
        #expect(check.faces == mesh.triangles.count)
        #expect(abs(check.volume - expected) / expected < 0.02, "trimesh volume \(check.volume) vs voxels \(expected)")
        #expect(abs(mesh.enclosedVolume - check.volume) / check.volume < 1e-4)
        print("sphere: \(voxels) voxels, voxel volume \(expected) µm³, mesh volume \(check.volume) µm³, faces \(check.faces)")
    }

    @Test func blocksGiveTheSameTrianglesAsOneBlock() throws {
        let source = LabelSource(block: MeshFixtures.sphere(), voxelSize: voxel)
        let whole = try SurfaceExtractor(blockSide: 64).surface(of: 1, in: source)
        let blocked = try SurfaceExtractor(blockSide: 16).surface(of: 1, in: source)
        #expect(whole.triangles.count == blocked.triangles.count)
        #expect(whole.positions.count == blocked.positions.count, "seam vertices are welded")
        #expect(MeshFixtures.canonicalTriangles(whole) == MeshFixtures.canonicalTriangles(blocked))
    }

    @Test func shapeTouchingTheBoundaryIsCapped() throws {
        // A ball centred on a corner of the volume, and a slab filling whole faces.
        var block = MeshFixtures.sphere(side: 24, radius: 10, centre: 2)
        for z in 0..<24 { for x in 0..<24 { block.elements[block.shape.offset(z: z, y: 23, x: x)] = 1 } }
        let folder = try MeshFixtures.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let stl = folder.appendingPathComponent("corner.stl")
        let summary = try MeshWriter.writeSurface(of: 1, in: LabelSource(block: block, voxelSize: voxel),
                                                  with: SurfaceExtractor(blockSide: 8), to: stl.path)
        let check = try MeshFixtures.check(stl)
        #expect(check.watertight && check.winding_consistent && check.volume > 0)
        #expect(check.faces == summary.triangles)
    }

    @Test func wholeVolumeOfOneClassIsABox() throws {
        let block = Block<UInt8>(shape: Shape(z: 3, y: 4, x: 5), repeating: 7)
        let mesh = try SurfaceExtractor(blockSide: 2).surface(of: 7, in: LabelSource(block: block, voxelSize: voxel))
        // Level set at 0.5 between the last voxel centre and the zero border: half a voxel inside the box.
        let inner = 2.0 * 3.0 * 4.0 * 8
        #expect(abs(mesh.enclosedVolume - inner) < 1e-3 * inner || mesh.enclosedVolume > inner)
        #expect(mesh.enclosedVolume <= Double(block.shape.voxelCount) * voxel.voxelVolume)
        #expect(try SurfaceExtractor().surface(of: 3, in: LabelSource(block: block)).triangles.isEmpty)
    }

    @Test func fossilBoneIsWatertight() throws {
        let phantom = try FossilPhantom(size: 64)
        let truth = phantom.truthSlices(0..<64)
        let folder = try MeshFixtures.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        for name in ["bone.stl", "bone.obj"] {
            let url = folder.appendingPathComponent(name)
            let summary = try MeshWriter.writeSurface(of: FossilPhantom.Label.bone.rawValue, in: LabelSource(block: truth, voxelSize: voxel),
                                                      with: SurfaceExtractor(blockSide: 24), to: url.path)
            let check = try MeshFixtures.check(url)
            #expect(check.watertight && check.winding_consistent, "\(name)")
            #expect(check.faces == summary.triangles && check.faces > 1000, "\(name)")
            #expect(abs(check.volume - summary.enclosedVolume) <= 1e-6 * summary.enclosedVolume, "\(name)")
        }
    }

    @Test func downsampledMaskIsCoarserAndClosed() throws {
        let source = LabelSource(block: MeshFixtures.sphere(), voxelSize: voxel)
        let full = try SurfaceExtractor().surface(of: 1, in: source)
        let half = try SurfaceExtractor(blockSide: 8, downsample: 2).surface(of: 1, in: source)
        #expect(half.triangles.count < full.triangles.count / 2)
        // Max-downsampling grows the ball by up to a voxel: volume within 25% and not smaller.
        #expect(half.enclosedVolume > full.enclosedVolume * 0.95 && half.enclosedVolume < full.enclosedVolume * 1.4)
        let folder = try MeshFixtures.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let stl = folder.appendingPathComponent("half.stl")
        #expect(try MeshWriter.writeSurface(of: 1, in: source, with: SurfaceExtractor(blockSide: 8, downsample: 2), to: stl.path) == half.summary)
        #expect(try MeshFixtures.check(stl).watertight)
    }
}
