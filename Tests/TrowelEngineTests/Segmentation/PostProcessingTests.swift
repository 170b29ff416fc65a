import Testing
import TrowelVolume
@testable import TrowelEngine

/// Post-processing on constructed volumes: class 1 is "bone", 2 "matrix" (the background).
struct PostProcessingTests {
    /// A 20³ volume of matrix with bone in the boxes given.
    static func volume(_ boxes: [Box], side: Int = 20) -> Block<UInt8> {
        var v = Block<UInt8>(shape: Shape(z: side, y: side, x: side), repeating: 2)
        for box in boxes {
            for z in box.lower.z..<box.upper.z {
                for y in box.lower.y..<box.upper.y {
                    for x in box.lower.x..<box.upper.x { v[z, y, x] = 1 }
                }
            }
        }
        return v
    }

    static func box(_ z: Range<Int>, _ y: Range<Int>, _ x: Range<Int>) -> Box { Box(z: z, y: y, x: x) }

    static func count(_ v: Block<UInt8>, _ value: UInt8) -> Int { v.elements.lazy.filter { $0 == value }.count }

    @Test func componentsAreSixConnected() throws {
        // Two cubes touching only along an edge are two components; touching on a face, one.
        let bone = BlockComponents.Membership(value: 1, equal: true)
        let edge = Self.volume([Self.box(0..<2, 0..<2, 0..<2), Self.box(2..<4, 2..<4, 0..<2)])
        #expect(BlockComponents(of: edge, members: bone).count == 2)
        let face = Self.volume([Self.box(0..<2, 0..<2, 0..<2), Self.box(2..<4, 0..<2, 0..<2)])
        let c = BlockComponents(of: face, members: bone)
        #expect(c.count == 1 && c.sizes == [16] && c.firstVoxels == [0])
        // A U shape joined only at the far end is one component (union of two runs met late).
        let u = Self.volume([Self.box(0..<1, 0..<5, 0..<1), Self.box(0..<1, 0..<5, 4..<5), Self.box(0..<1, 4..<5, 0..<5)])
        #expect(BlockComponents(of: u, members: bone).count == 1)
        // The flood-fill reference agrees.
        for v in [edge, face, u] {
            #expect(ConnectedComponents(of: v, where: { $0 == 1 }).count == BlockComponents(of: v, members: bone).count)
        }
    }

    @Test func removesComponentsBelowMinimumSize() throws {
        // 10 voxels (1×2×5) and 100 voxels (4×5×5).
        var v = Self.volume([Self.box(1..<2, 1..<3, 1..<6), Self.box(10..<14, 10..<15, 10..<15)])
        let report = try PostProcessing(classID: 1, minimumVoxels: 50).apply(to: &v)
        #expect(report.componentsBefore == 2 && report.componentsRemoved == 1 && report.voxelsRemoved == 10)
        #expect(Self.count(v, 1) == 100 && v[10, 10, 10] == 1 && v[1, 1, 1] == 2)
    }

    @Test func keepsTheLargest() throws {
        var v = Self.volume([Self.box(0..<2, 0..<2, 0..<2), Self.box(5..<8, 5..<8, 5..<8), Self.box(12..<16, 12..<16, 12..<16)])
        let report = try PostProcessing(classID: 1, backgroundID: 0, keepLargest: 1).apply(to: &v)
        #expect(report.componentsRemoved == 2 && report.voxelsRemoved == 8 + 27)
        #expect(Self.count(v, 1) == 64 && Self.count(v, 0) == 35 && v[13, 13, 13] == 1)
    }

    @Test func fillsAnEnclosedCavity() throws {
        // A 10³ shell, one voxel thick, around an 8³ cavity of matrix.
        var v = Self.volume([Self.box(5..<15, 5..<15, 5..<15)])
        for z in 6..<14 { for y in 6..<14 { for x in 6..<14 { v[z, y, x] = 2 } } }
        let report = try PostProcessing(classID: 1, fillHoles: true).apply(to: &v)
        #expect(report.holesFilled == 1 && report.voxelsFilled == 512)
        #expect(Self.count(v, 1) == 1000 && v[10, 10, 10] == 1 && v[0, 0, 0] == 2)
    }

    @Test func leavesACavityOpenToTheBorderAlone() throws {
        // The same shell with a tunnel from the cavity to the x = 0 face.
        var v = Self.volume([Self.box(5..<15, 5..<15, 5..<15)])
        for z in 6..<14 { for y in 6..<14 { for x in 6..<14 { v[z, y, x] = 2 } } }
        for x in 0..<6 { v[10, 10, x] = 2 }
        let before = v
        let report = try PostProcessing(classID: 1, fillHoles: true).apply(to: &v)
        #expect(report.holesFilled == 0 && v.elements == before.elements)
        // A cavity touching the volume's face directly is not a hole either.
        var open = Self.volume([Self.box(0..<5, 0..<5, 0..<5)])
        for z in 0..<4 { for y in 1..<4 { for x in 1..<4 { open[z, y, x] = 2 } } }
        #expect(try PostProcessing(classID: 1, fillHoles: true).apply(to: &open).voxelsFilled == 0)
    }

    @Test func rejectsNoStepsAndNonPositiveCounts() {
        #expect(throws: PostProcessingError.nothingToDo) { try PostProcessing(classID: 1).validate() }
        #expect(throws: PostProcessingError.badCount(option: "--min-size", value: 0)) {
            try PostProcessing(classID: 1, minimumVoxels: 0).validate()
        }
        #expect(throws: PostProcessingError.badCount(option: "--keep-largest", value: -1)) {
            try PostProcessing(classID: 1, keepLargest: -1).validate()
        }
    }
}
