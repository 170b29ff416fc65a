import Foundation
import Testing
import TrowelTestSupport
@testable import TrowelVolume

@Suite struct VolumeImporterTests {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("trowel-import-\(UUID().uuidString)")

    /// An odd-shaped phantom, so every level has odd edges and slabs carry a slice.
    let phantom = try! FossilPhantom(size: 41, slices: 37, dtype: .u16)

    func options(chunk: Int = 16, budget: ByteCount? = nil) -> VolumeImporter.Options {
        var o = VolumeImporter.Options()
        o.chunk = chunk
        o.pyramidMinimumSide = 8
        o.memoryBudget = budget
        o.voxelSize = .isotropic(12.5)
        return o
    }

    func expectedLevels() throws -> [Block<UInt16>] {
        var levels = [try phantom.readSlices(0..<phantom.shape.z).converted(to: UInt16.self)]
        while levels.last!.shape.largestSide >= 8 { levels.append(Downsampler.halve(levels.last!)) }
        return levels
    }

    @Test func everyLevelEqualsDownsamplingTheWholeScan() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = try VolumeImporter(options: options()).run(from: phantom, to: folder, name: "phantom")
        let volume = try MultiscaleVolume.open(at: folder)
        let expected = try expectedLevels()
        #expect(result.levels == expected.map(\.shape))
        #expect(volume.levels.count == expected.count)
        #expect(volume.voxelSize == .isotropic(12.5))
        for (level, block) in expected.enumerated() {
            let got = try volume.read(block.shape.box, level: level).converted(to: UInt16.self)
            #expect(got.elements == block.elements, "level \(level)")
        }
        #expect(result.values.minimum == Double(expected[0].valueRange!.lowerBound))
    }

    @Test func aSmallMemoryBudgetGivesThinnerSlabsAndTheSameVoxels() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        // 41×41 u16 slices are 3.3 KB; 48 MB of overhead plus ~6 slices' worth forces slabs of 4–6.
        let budget = ByteCount(48 << 20 + 3362 * 16)
        let importer = VolumeImporter(options: options(budget: budget))
        let depth = try importer.slabDepth(for: phantom)
        #expect(depth < 16 && depth >= 2 && depth % 2 == 0)
        _ = try importer.run(from: phantom, to: folder, name: "phantom")
        let volume = try MultiscaleVolume.open(at: folder)
        for (level, block) in try expectedLevels().enumerated() {
            #expect(try volume.read(block.shape.box, level: level).converted(to: UInt16.self).elements == block.elements)
        }
        #expect(throws: ImportBudgetError.self) {
            try VolumeImporter(options: options(budget: ByteCount(1 << 20))).slabDepth(for: phantom)
        }
    }

    /// A source that only declares its shape (never read in these tests).
    struct DeclaredSource: SliceSource {
        let shape: Shape
        var dtype: DType { .u8 }
        var summary: String { "declared \(shape)" }
        func readSlices(_ range: Range<Int>) throws -> AnyBlock { fatalError("not read") }
    }

    /// Without --memory, slabs were a chunk deep whatever the slice size: a Zarr declaring 10000³
    /// voxels made convert grow to 6 GB. The default cap holds for any shape.
    @Test func theDefaultMemoryCapHoldsForAnyShape() throws {
        let importer = VolumeImporter(options: options(chunk: 64))
        #expect(try importer.slabDepth(for: DeclaredSource(shape: Shape(z: 500, y: 1000, x: 1000))) == 64)
        for side in [4000, 10000, 100_000] {
            let source = DeclaredSource(shape: Shape(z: 10000, y: side, x: side))
            let depth = try importer.slabDepth(for: source)
            #expect(depth >= 2 && depth % 2 == 0)
            let slab = Double(depth * side * side) * 2.6
            #expect(depth == 2 || slab + Double(48 << 20) <= Double(VolumeImporter.defaultMemoryBudget.bytes), "\(side): \(depth) slices")
        }
    }

    /// A scan that cannot fit on the disk fails at once instead of hours later.
    @Test func aScanThatCannotFitOnTheDiskIsRefused() throws {
        let huge = DeclaredSource(shape: Shape(z: 100_000, y: 100_000, x: 100_000))
        #expect(throws: ImportBudgetError.self) { try VolumeImporter(options: options()).checkDiskSpace(for: huge, output: folder) }
        do {
            try VolumeImporter(options: options()).checkDiskSpace(for: huge, output: folder.appendingPathComponent("out.trowel"))
        } catch {
            #expect("\(error)".hasPrefix(folder.appendingPathComponent("out.trowel").path + ": needs at least "), "\(error)")
            #expect("\(error)".contains("free"))
        }
        try VolumeImporter(options: options()).checkDiskSpace(for: phantom, output: folder)
    }

    @Test func cancellingStopsBetweenSlabs() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        var slabs = 0
        #expect(throws: CancellationError.self) {
            try VolumeImporter(options: options()).run(from: phantom, to: folder, name: "p", progress: { _ in slabs += 1 },
                                                       isCancelled: { slabs >= 1 })
        }
        #expect(slabs == 1)
    }

    @Test func zarrPythonReadsEveryLevelAndTheOMEMetadata() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try VolumeImporter(options: options()).run(from: phantom, to: folder.appendingPathComponent("volume.zarr"), name: "p")
        let raw = folder.appendingPathComponent("level0.raw")
        let block = try phantom.readSlices(0..<phantom.shape.z).converted(to: UInt16.self)
        try block.elements.withUnsafeBytes { try Data($0).write(to: raw) }
        let s = phantom.shape
        let (status, output) = try PythonScript.run("check-volume-interop.py",
                                                    [folder.appendingPathComponent("volume.zarr").path, raw.path, "uint16",
                                                     "\(s.z),\(s.y),\(s.x)", "12.5"])
        #expect(status == 0 && output.hasPrefix("OK"), "\(output)")
    }
}
