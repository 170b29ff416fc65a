import Foundation
import TrowelVolume

/// Everything `trowel info` reports about a project, gathered once, printable as text or JSON.
public struct ProjectSummary: Sendable {
    public var path: String
    public var record: ProjectRecord
    public var levels: [Shape]
    public var chunks: Shape
    public var compressor: String
    public var classes: [LabelClass]
    public var bytesOnDisk: Int
    public var volumeBytes: Int
    /// Label chunks written once whose files are gone.
    public var missingLabelChunks: [LabelChunkDamage]

    public init(project: Project) throws {
        path = project.url.path
        record = try project.record()
        classes = try project.classes()
        let volume = try MultiscaleVolume.open(at: project.volumeURL)
        levels = volume.levels.map(\.shape)
        chunks = volume.levels[0].chunks
        compressor = volume.levels[0].compressor.summary
        bytesOnDisk = Self.diskUsage(of: project.url)
        volumeBytes = Self.diskUsage(of: project.volumeURL)
        missingLabelChunks = try LabelStore.missingChunks(in: project)
    }

    /// Bytes taken by the files under `url`.
    static func diskUsage(of url: URL) -> Int {
        guard let files = FileManager.default.enumerator(at: url, includingPropertiesForKeys: [.fileSizeKey, .isRegularFileKey]) else {
            return 0
        }
        var total = 0
        for case let file as URL in files {
            let values = try? file.resourceValues(forKeys: [.fileSizeKey, .isRegularFileKey])
            if values?.isRegularFile == true { total += values?.fileSize ?? 0 }
        }
        return total
    }

    private func format(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : String(format: "%.4g", v)
    }

    public var text: String {
        let s = record.shape, v = record.voxelSize
        let physical = String(format: "%.2f × %.2f × %.2f mm", Double(s.z) * v.z / 1000, Double(s.y) * v.y / 1000,
                              Double(s.x) * v.x / 1000)
        let values = record.values
        let rows: [(String, String)] = [
            ("source", record.sourceSummary),
            ("shape", "\(s.z) × \(s.y) × \(s.x) voxels (z × y × x), \(s.voxelCount.formatted()) in all"),
            ("dtype", DType(rawValue: record.dtype)?.numpyName ?? record.dtype),
            ("voxel size", "\(v)  (scan is \(physical))"),
            ("values", "\(format(values.minimum)) … \(format(values.maximum)), mean \(format(values.mean)); "
                + "0.5–99.5 %: \(format(values.low)) … \(format(values.high))"),
            ("pyramid", "\(levels.count) level\(levels.count == 1 ? "" : "s"): " + levels.map(\.description).joined(separator: ", ")),
            ("chunks", "\(chunks), \(compressor)"),
            ("classes", classes.map { "\($0.id) \($0.name) \($0.color)" }.joined(separator: ", ")),
            ("on disk", "\(ByteCount(bytesOnDisk)) (volume \(ByteCount(volumeBytes)))"),
        ] + missingLabelChunks.map { ("damage", $0.description) }
        return ([path] + rows.map { "  " + $0.0.padding(toLength: 11, withPad: " ", startingAt: 0) + $0.1 }).joined(separator: "\n")
    }

    public func json() throws -> String {
        let values = record.values
        let object: [String: Any] = [
            "path": path, "source": record.sourceSummary, "shape": record.shape.array, "dtype": DType(rawValue: record.dtype)?.numpyName ?? record.dtype,
            "voxel_size_um": record.voxelSize.array,
            "values": ["min": values.minimum, "max": values.maximum, "mean": values.mean, "p0_5": values.low, "p99_5": values.high],
            "levels": levels.map(\.array), "chunks": chunks.array, "compressor": compressor,
            "classes": classes.map { ["id": $0.id, "name": $0.name, "color": $0.color] as [String: Any] },
            "bytes_on_disk": bytesOnDisk, "created_at": ISO8601DateFormatter().string(from: record.createdAt),
            "trowel_version": record.trowelVersion,
            "label_damage": missingLabelChunks.map(\.description),
        ]
        return String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self)
    }
}
