import Foundation
import Testing
import TrowelTestSupport
@testable import TrowelVolume

/// The committed sample is exactly what `trowel sample -o SampleData/fossil --size 160` writes.
@Suite struct SampleDataTests {
    let folder = PythonScript.repository.appendingPathComponent("SampleData/fossil")

    @Test func committedSampleMatchesTheGenerator() throws {
        let phantom = try FossilPhantom(size: 160)
        let scan = try MultiscaleVolume.open(at: folder.appendingPathComponent("scan.zarr"))
        let truth = try MultiscaleVolume.open(at: folder.appendingPathComponent("truth.zarr"))
        #expect(scan.shape == .cube(160) && scan.dtype == .u8 && scan.voxelSize == .isotropic(45.5))
        #expect(scan.levels.count == 1)
        for z in [0, 77, 159] {
            let box = Box(z: z..<(z + 1), y: 0..<160, x: 0..<160)
            #expect(try scan.read(box).converted(to: UInt8.self).elements == phantom.readSlices(z..<(z + 1)).converted(to: UInt8.self).elements)
            #expect(try truth.read(box).converted(to: UInt8.self).elements == phantom.truthSlices(z..<(z + 1)).elements)
        }
    }
}
