import Testing
import TrowelMesh
import TrowelVolume

/// Decimation's output, bit for bit, pinned by checksums recorded from the first implementation
/// (nested per-vertex face arrays, 24-byte heap entries). Work on the decimator's memory must not
/// change a single triangle or coordinate: ties in collapse cost are common on voxel surfaces, so
/// even the heap's internal layout decides which edge goes first.
@Suite struct DecimationGoldenTests {
    /// A mesh, a keep fraction and the checksum of what decimation made of it.
    struct Case: CustomStringConvertible {
        var name: String
        var keep: Double
        var triangles: Int
        var vertices: Int
        var checksum: UInt64
        var description: String { "\(name) at \(keep)" }
    }

    static let cases = [
        Case(name: "sphere", keep: 0.5, triangles: 8064, vertices: 4034, checksum: 0xa63f_b415_be61_4dce),
        Case(name: "sphere", keep: 0.25, triangles: 4032, vertices: 2018, checksum: 0x7b94_b856_704e_af8a),
        Case(name: "bone", keep: 0.5, triangles: 52760, vertices: 26042, checksum: 0xb2f5_f462_c9c1_4b33),
        Case(name: "bone", keep: 0.1, triangles: 10552, vertices: 4938, checksum: 0xf058_2d3b_ded8_b0f7),
        Case(name: "bone", keep: 0.02, triangles: 2110, vertices: 717, checksum: 0x6d33_b4d3_37a0_9fa1),
        Case(name: "matrix", keep: 0.3, triangles: 47172, vertices: 23536, checksum: 0x9275_ce7a_86ab_104f),
    ]

    static func input(_ name: String) throws -> TriangleMesh {
        let voxel = VoxelSize.isotropic(2)
        switch name {
        case "sphere":
            return try SurfaceExtractor().surface(of: 1, in: LabelSource(block: MeshFixtures.sphere(), voxelSize: voxel))
        case "bone":
            let truth = try FossilPhantom(size: 64).truthSlices(0..<64)
            return try SurfaceExtractor(blockSide: 32).surface(of: FossilPhantom.Label.bone.rawValue,
                                                               in: LabelSource(block: truth, voxelSize: voxel))
        default:
            let truth = try FossilPhantom(size: 48).truthSlices(0..<48)
            return try SurfaceExtractor(blockSide: 16).surface(of: FossilPhantom.Label.matrix.rawValue,
                                                               in: LabelSource(block: truth, voxelSize: .isotropic(3)))
        }
    }

    /// FNV-1a over the vertex coordinates' bits, in order, then the triangles' indices.
    static func checksum(_ mesh: TriangleMesh) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ word: UInt32) {
            for shift in stride(from: 0, to: 32, by: 8) {
                hash ^= UInt64((word >> UInt32(shift)) & 0xFF)
                hash = hash &* 0x0000_0100_0000_01B3
            }
        }
        for p in mesh.positions { mix(p.x.bitPattern); mix(p.y.bitPattern); mix(p.z.bitPattern) }
        for t in mesh.triangles { mix(t.x); mix(t.y); mix(t.z) }
        return hash
    }

    @Test(arguments: cases) func outputIsUnchanged(_ c: Case) throws {
        let out = try EdgeCollapseDecimation(keepFraction: c.keep).decimated(Self.input(c.name))
        #expect(out.triangles.count == c.triangles)
        #expect(out.positions.count == c.vertices)
        #expect(Self.checksum(out) == c.checksum)
    }
}
