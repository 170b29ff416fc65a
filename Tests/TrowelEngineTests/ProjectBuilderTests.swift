import Foundation
import Testing
import TrowelVolume
@testable import TrowelEngine

/// A source whose third slab cannot be read, like a stack with a corrupt file in the middle.
struct FailingSource: SliceSource {
    let inner = try! FossilPhantom(size: 24, slices: 30)
    var shape: Shape { inner.shape }
    var dtype: DType { inner.dtype }
    var summary: String { "failing test source" }
    func readSlices(_ range: Range<Int>) throws -> AnyBlock {
        if range.upperBound > 20 { throw ImportError.unreadable(file: "slice_0021.tif", page: nil, reason: "truncated") }
        return try inner.readSlices(range)
    }
}

/// A source that, reading its second slab, puts a file where the staging folder's level-0 array is,
/// so the next chunk write fails inside the hidden staging folder (as a full disk would).
struct SabotagingSource: SliceSource {
    let inner = try! FossilPhantom(size: 24, slices: 30)
    let parent: URL
    var shape: Shape { inner.shape }
    var dtype: DType { inner.dtype }
    var summary: String { "sabotaging test source" }
    func readSlices(_ range: Range<Int>) throws -> AnyBlock {
        if range.lowerBound > 0 {
            let fm = FileManager.default
            for name in try fm.contentsOfDirectory(atPath: parent.path) where name.hasPrefix(".") && name.contains(".partial-") {
                let level = parent.appendingPathComponent(name).appendingPathComponent("volume.zarr/0")
                if (try? fm.attributesOfItem(atPath: level.path)[.type] as? FileAttributeType) == .typeDirectory {
                    try fm.removeItem(at: level)
                    try Data().write(to: level)
                }
            }
        }
        return try inner.readSlices(range)
    }
}

/// A source with no voxels (a Zarr of shape [0, 64, 64]).
struct EmptySource: SliceSource {
    var shape: Shape { Shape(z: 0, y: 64, x: 64) }
    var dtype: DType { .u8 }
    var summary: String { "empty.zarr" }
    func readSlices(_ range: Range<Int>) throws -> AnyBlock { AnyBlock(Block<UInt8>(shape: Shape(z: 0, y: 64, x: 64), elements: [])) }
}

@Suite struct ProjectBuilderTests {
    let parent = FileManager.default.temporaryDirectory.appendingPathComponent("trowel-build-\(UUID().uuidString)")

    init() throws {
        try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
    }

    var builder: ProjectBuilder {
        var options = VolumeImporter.Options()
        options.chunk = 8
        options.voxelSize = .isotropic(45.5)
        return ProjectBuilder(importOptions: options)
    }

    func leftovers() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: parent.path).sorted()
    }

    @Test func buildsAProjectThatOpensAndDescribesItself() throws {
        defer { try? FileManager.default.removeItem(at: parent) }
        let phantom = try FossilPhantom(size: 24, slices: 20)
        let (project, result) = try builder.build(from: phantom, at: parent.appendingPathComponent("scan.trowel"))
        #expect(result.levels.count == 1)
        let summary = try ProjectSummary(project: project)
        #expect(summary.record.shape == phantom.shape && summary.record.voxelSize == .isotropic(45.5))
        #expect(summary.chunks == .cube(8) && summary.compressor == "zstd level 3")
        #expect(summary.classes.map(\.name) == ["bone", "matrix"])
        #expect(summary.text.contains("20 × 24 × 24 voxels"))
        let json = try JSONSerialization.jsonObject(with: Data(summary.json().utf8)) as? [String: Any]
        #expect(json?["dtype"] as? String == "uint8")
        #expect(try leftovers() == ["scan.trowel"])
    }

    @Test func anExistingOutputIsRefusedAndUntouched() throws {
        defer { try? FileManager.default.removeItem(at: parent) }
        let out = parent.appendingPathComponent("scan.trowel")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: false)
        #expect(throws: ProjectError.exists(out.path)) { try builder.build(from: try FossilPhantom(size: 16), at: out) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path).isEmpty)
    }

    @Test func aFailingSourceLeavesNothingBehind() throws {
        defer { try? FileManager.default.removeItem(at: parent) }
        #expect(throws: ImportError.self) { try builder.build(from: FailingSource(), at: parent.appendingPathComponent("scan.trowel")) }
        #expect(try leftovers().isEmpty)
    }

    @Test func cancellingLeavesNothingBehind() throws {
        defer { try? FileManager.default.removeItem(at: parent) }
        let out = parent.appendingPathComponent("scan.trowel")
        #expect(throws: ProjectError.cancelled(out.path)) {
            try builder.build(from: try FossilPhantom(size: 16, slices: 40), at: out, isCancelled: { true })
        }
        #expect(try leftovers().isEmpty)
    }

    @Test func anUnwritableOrMissingParentIsReported() throws {
        defer { try? FileManager.default.removeItem(at: parent) }
        let out = parent.appendingPathComponent("nowhere/scan.trowel")
        #expect(throws: ProjectError.self) { try builder.build(from: try FossilPhantom(size: 16), at: out) }
    }

    /// Errors used to name the hidden staging folder (`.scan.trowel.partial-N/volume.zarr/0: …`).
    @Test func aWriteFailureNamesTheProjectNotTheStagingFolder() throws {
        defer { try? FileManager.default.removeItem(at: parent) }
        let out = parent.appendingPathComponent("scan.trowel")
        do {
            _ = try builder.build(from: SabotagingSource(parent: parent), at: out)
            Issue.record("the build should fail")
        } catch let error as ZarrError {
            #expect(error.path.hasPrefix(out.path + "/volume.zarr/0"), "\(error)")
            #expect(!error.description.contains(".partial-"), "\(error)")
        }
        #expect(try leftovers().isEmpty)
    }

    /// An empty input used to be reported as the output's chunk shape (`…/volume.zarr/0: chunk shape 0×64×64`).
    @Test func anEmptySourceIsNamedAsTheInput() throws {
        defer { try? FileManager.default.removeItem(at: parent) }
        do {
            _ = try builder.build(from: EmptySource(), at: parent.appendingPathComponent("scan.trowel"))
            Issue.record("the build should fail")
        } catch {
            #expect("\(error)" == "empty.zarr: the scan is 0×64×64 voxels, nothing to convert")
        }
        var options = VolumeImporter.Options()
        options.compressor = .zstd(level: 99)
        do {
            _ = try ProjectBuilder(importOptions: options).build(from: try FossilPhantom(size: 16), at: parent.appendingPathComponent("z.trowel"))
            Issue.record("the build should fail")
        } catch {
            #expect("\(error)" == "--compressor: zstd level 99 is not -131072–22")
        }
        #expect(try leftovers().isEmpty)
    }
}
