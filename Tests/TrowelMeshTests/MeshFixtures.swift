import TrowelTestSupport
import Foundation
import TrowelMesh
import TrowelVolume

/// Label volumes with known shapes, and helpers to check meshes with trimesh.
enum MeshFixtures {
    /// A ball of `radius` voxels (centre between voxels) labelled `label` in a cube of `side`.
    static func sphere(side: Int = 40, radius: Double = 12, centre: Double? = nil, label: UInt8 = 1) -> Block<UInt8> {
        let c = centre ?? Double(side) / 2 - 0.5
        var block = Block<UInt8>(shape: .cube(side), repeating: 0)
        for z in 0..<side {
            for y in 0..<side {
                for x in 0..<side {
                    let d = (Double(z) - c) * (Double(z) - c) + (Double(y) - c) * (Double(y) - c) + (Double(x) - c) * (Double(x) - c)
                    if d <= radius * radius { block.elements[block.shape.offset(z: z, y: y, x: x)] = label }
                }
            }
        }
        return block
    }

    /// A temporary folder removed when the test ends.
    static func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("trowel-mesh-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    struct Check: Decodable {
        var watertight: Bool
        var winding_consistent: Bool
        var volume: Double
        var area: Double
        var faces: Int
        var vertices: Int
        var bounds: [[Double]]
    }

    /// trimesh's view of the mesh file at `url`.
    static func check(_ url: URL) throws -> Check {
        let r = try PythonScript.run("check-mesh.py", [url.path])
        guard r.status == 0 else { throw CheckFailed(output: r.output) }
        return try JSONDecoder().decode(Check.self, from: Data(r.output.utf8))
    }

    struct CheckFailed: Error, CustomStringConvertible {
        var output: String
        var description: String { "check-mesh.py failed: \(output)" }
    }

    /// Triangles as sorted triples of corner positions, sorted: a comparison independent of numbering.
    static func canonicalTriangles(_ mesh: TriangleMesh) -> [[Float]] {
        mesh.triangles.map { t -> [Float] in
            var corners = [mesh.positions[Int(t.x)], mesh.positions[Int(t.y)], mesh.positions[Int(t.z)]]
                .map { [$0.x, $0.y, $0.z] }
            // Rotate so the smallest corner comes first, keeping the winding.
            let first = corners.indices.min { corners[$0].lexicographicallyPrecedes(corners[$1]) }!
            corners = Array(corners[first...] + corners[..<first])
            return corners.flatMap { $0 }
        }.sorted { $0.lexicographicallyPrecedes($1) }
    }
}
