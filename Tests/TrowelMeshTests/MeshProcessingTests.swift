import Foundation
import Testing
import TrowelMesh
import TrowelVolume

/// Writers, smoothing and decimation keep the mesh closed, manifold and outward, as trimesh sees it.
@Suite struct MeshProcessingTests {
    let voxel = VoxelSize.isotropic(2)

    func boneMesh() throws -> TriangleMesh {
        let truth = try FossilPhantom(size: 64).truthSlices(0..<64)
        return try SurfaceExtractor(blockSide: 32).surface(of: FossilPhantom.Label.bone.rawValue,
                                                           in: LabelSource(block: truth, voxelSize: voxel))
    }

    func written(_ mesh: TriangleMesh, as name: String, in folder: URL) throws -> MeshFixtures.Check {
        let url = folder.appendingPathComponent(name)
        try MeshWriter.write(mesh, to: url.path)
        return try MeshFixtures.check(url)
    }

    @Test func objAndSTLOfOneMeshAgree() throws {
        let mesh = try SurfaceExtractor().surface(of: 1, in: LabelSource(block: MeshFixtures.sphere(side: 20, radius: 6), voxelSize: voxel))
        let folder = try MeshFixtures.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let stl = try written(mesh, as: "m.stl", in: folder)
        let obj = try written(mesh, as: "m.obj", in: folder)
        #expect(stl.faces == obj.faces && stl.vertices == obj.vertices && obj.vertices == mesh.positions.count)
        #expect(abs(stl.volume - obj.volume) <= 1e-9 * abs(obj.volume) && abs(stl.area - obj.area) <= 1e-9 * obj.area)
        #expect(stl.bounds == obj.bounds)

        // Read back in Swift: the same corners, triangle by triangle, in both files.
        let objText = try String(contentsOf: folder.appendingPathComponent("m.obj"), encoding: .utf8)
        var positions: [SIMD3<Float>] = [], triangles: [SIMD3<UInt32>] = []
        for line in objText.split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.first == "v" { positions.append(SIMD3(Float(parts[1])!, Float(parts[2])!, Float(parts[3])!)) }
            if parts.first == "f" { triangles.append(SIMD3(UInt32(parts[1])! - 1, UInt32(parts[2])! - 1, UInt32(parts[3])! - 1)) }
        }
        #expect(TriangleMesh(positions: positions, triangles: triangles) == mesh)
        let stlBytes = try [UInt8](Data(contentsOf: folder.appendingPathComponent("m.stl")))
        #expect(stlBytes.count == 84 + 50 * mesh.triangles.count)
        func float(_ at: Int) -> Float {
            Float(bitPattern: UInt32(stlBytes[at]) | UInt32(stlBytes[at + 1]) << 8 | UInt32(stlBytes[at + 2]) << 16 | UInt32(stlBytes[at + 3]) << 24)
        }
        for (i, t) in mesh.triangles.enumerated() {
            let base = 84 + 50 * i + 12
            for c in 0..<3 {
                let p = mesh.positions[Int(t[c])]
                #expect(SIMD3(float(base + 12 * c), float(base + 12 * c + 4), float(base + 12 * c + 8)) == p)
            }
        }
    }

    @Test func unknownExtensionAndMissingFolderAreOneLineErrors() throws {
        #expect(throws: MeshError.unknownFormat("/tmp/x.ply")) { try MeshWriter.write(TriangleMesh(), to: "/tmp/x.ply") }
        #expect(throws: MeshError.self) { try MeshWriter.write(TriangleMesh(), to: "/nonexistent-trowel/x.stl") }
        #expect(throws: MeshError.badDecimation(1.5)) { try EdgeCollapseDecimation(keepFraction: 1.5) }
        #expect(throws: MeshError.badDownsample(0)) { try SurfaceExtractor(downsample: 0) }
    }

    @Test func everyStageStopsWhenCancelled() throws {
        let source = LabelSource(block: MeshFixtures.sphere(), voxelSize: voxel)
        #expect(throws: MeshError.cancelled) { try SurfaceExtractor(blockSide: 8).surface(of: 1, in: source, isCancelled: { true }) }
        let mesh = try SurfaceExtractor().surface(of: 1, in: source)
        #expect(throws: MeshError.cancelled) { try EdgeCollapseDecimation(keepFraction: 0.5).decimated(mesh, isCancelled: { true }) }
        #expect(throws: MeshError.cancelled) { try TaubinSmoothing(iterations: 3).smoothed(mesh, isCancelled: { true }) }
    }

    @Test func smoothingKeepsBoneWatertightAndItsVolume() throws {
        let mesh = try boneMesh()
        let smooth = try TaubinSmoothing(iterations: 10).smoothed(mesh)
        #expect(smooth.triangles == mesh.triangles && smooth.positions != mesh.positions)
        let folder = try MeshFixtures.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let check = try written(smooth, as: "smooth.stl", in: folder)
        #expect(check.watertight && check.winding_consistent)
        #expect(abs(check.volume - mesh.enclosedVolume) / mesh.enclosedVolume < 0.05, "\(check.volume) vs \(mesh.enclosedVolume)")
        #expect(smooth.surfaceArea < mesh.surfaceArea, "smoothing removes the staircase")
    }

    @Test func decimationHalvesBoneAndKeepsItWatertight() throws {
        let mesh = try boneMesh()
        let half = try EdgeCollapseDecimation(keepFraction: 0.5).decimated(mesh)
        let ratio = Double(half.triangles.count) / Double(mesh.triangles.count)
        #expect(ratio > 0.45 && ratio < 0.55, "kept \(ratio)")
        let folder = try MeshFixtures.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let check = try written(half, as: "half.stl", in: folder)
        #expect(check.watertight && check.winding_consistent)
        #expect(check.faces == half.triangles.count)
        #expect(abs(check.volume - mesh.enclosedVolume) / mesh.enclosedVolume < 0.05, "\(check.volume) vs \(mesh.enclosedVolume)")
    }

    @Test func decimatingASphereToAQuarterStaysClosed() throws {
        let mesh = try SurfaceExtractor().surface(of: 1, in: LabelSource(block: MeshFixtures.sphere(), voxelSize: voxel))
        let quarter = try EdgeCollapseDecimation(keepFraction: 0.25).decimated(mesh)
        #expect(abs(Double(quarter.triangles.count) / Double(mesh.triangles.count) - 0.25) < 0.03)
        let folder = try MeshFixtures.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let check = try written(quarter, as: "q.obj", in: folder)
        #expect(check.watertight && check.winding_consistent)
        #expect(abs(check.volume - mesh.enclosedVolume) / mesh.enclosedVolume < 0.03)
    }
}
