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
}
