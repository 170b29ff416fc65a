import Foundation
import TrowelEngine
import TrowelVolume

/// A block held in memory, read as slices (a scan or a label volume for tests).
struct BlockSource: SliceSource {
    let block: Block<UInt8>
    var shape: Shape { block.shape }
    var dtype: DType { .u8 }
    var summary: String { "test block \(block.shape)" }
    func readSlices(_ range: Range<Int>) throws -> AnyBlock {
        AnyBlock(block.cropped(to: Box(z: range, y: 0..<shape.y, x: 0..<shape.x)))
    }
}

/// A project in a temporary folder, its scan and labels given as blocks; removed when released.
final class BlockProject: Sendable {
    let parent: URL
    let project: Project
    let volume: MultiscaleVolume

    init(scan: Block<UInt8>, labels: Block<UInt8>, prefix: String = "trowel-test") throws {
        parent = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        var options = VolumeImporter.Options()
        options.chunk = 16
        options.pyramidMinimumSide = 16
        project = try ProjectBuilder(importOptions: options)
            .build(from: BlockSource(block: scan), at: parent.appendingPathComponent("p.trowel")).0
        try LabelImport(project: project).run(from: BlockSource(block: labels), file: "labels", mapping: .classIDs)
        volume = try MultiscaleVolume.open(at: project.volumeURL)
    }

    deinit { try? FileManager.default.removeItem(at: parent) }
}

/// A tiny seeded generator (64-bit LCG) for test volumes: the same seed gives the same voxels.
struct TestRandom {
    var state: UInt64
    mutating func below(_ n: Int) -> Int {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Int((state >> 33) % UInt64(n))
    }
}
