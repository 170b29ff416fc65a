import Testing
@testable import TrowelVolume

@Suite struct VoxelSizeTests {
    @Test func parsesUnitsAndAnisotropy() throws {
        #expect(try VoxelSize(parsing: "45.5um") == .isotropic(45.5))
        #expect(try VoxelSize(parsing: "45.5 µm") == .isotropic(45.5))
        #expect(try VoxelSize(parsing: "0.03mm") == .isotropic(30))
        #expect(try VoxelSize(parsing: "12") == .isotropic(12))
        #expect(try VoxelSize(parsing: "50,45.5,45.5um") == VoxelSize(z: 50, y: 45.5, x: 45.5))
    }

    @Test func rejectsNonsense() {
        for bad in ["", "abc", "-3um", "1,2um", "0mm"] {
            #expect(throws: VoxelSizeError.self) { try VoxelSize(parsing: bad) }
        }
    }
}
