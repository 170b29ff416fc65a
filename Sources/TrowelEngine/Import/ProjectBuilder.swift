import Foundation
import TrowelVolume

/// Creates a project folder from a scan, atomically: everything is written into a hidden sibling
/// folder that is renamed into place at the end, so a failure or Ctrl-C leaves nothing behind.
public struct ProjectBuilder: Sendable {
    public var importOptions: VolumeImporter.Options

    public init(importOptions: VolumeImporter.Options = .init()) {
        self.importOptions = importOptions
    }

    /// Converts `source` into a new project at `url` and opens it.
    public func build(from source: SliceSource, at url: URL,
                      progress: (VolumeImporter.Progress) -> Void = { _ in },
                      isCancelled: () -> Bool = { false }) throws -> (Project, VolumeImporter.Result) {
        let fm = FileManager.default
        let url = url.standardizedFileURL
        if fm.fileExists(atPath: url.path) { throw ProjectError.exists(url.path) }
        let parent = url.deletingLastPathComponent()
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: parent.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ProjectError.unwritable(url.path, "the folder \(parent.path) does not exist")
        }
        guard fm.isWritableFile(atPath: parent.path) else {
            throw ProjectError.unwritable(url.path, "no permission to write in \(parent.path)")
        }
        try VolumeImporter(options: importOptions).checkDiskSpace(for: source, output: url)
        let staging = StagedFolder.stagingURL(for: url)
        do {
            let result = try StagedFolder.build(at: url) { staging in
                let importer = VolumeImporter(options: importOptions)
                let result = try importer.run(from: source, to: staging.appendingPathComponent(Project.volumeName),
                                              name: url.deletingPathExtension().lastPathComponent,
                                              progress: progress, isCancelled: isCancelled)
                let record = ProjectRecord(sourceSummary: source.summary, dtype: source.dtype, shape: source.shape,
                                           voxelSize: result.voxelSize, values: result.values)
                try Project.initialize(at: staging, record: record).close()
                return result
            }
            return (try Project.open(at: url), result)
        } catch is CancellationError {
            throw ProjectError.cancelled(url.path)
        } catch let error as ZarrError {
            // A write that failed in the hidden staging folder is about the project the user named.
            throw error.replacingPathPrefix(staging.path, with: url.path)
        } catch let error as ProjectError {
            throw error.replacingPath(staging.path, with: url.path)
        } catch let error as CocoaError {
            // Creating, writing or renaming in the output's folder: name the output, not the staging folder.
            throw ProjectError.unwritable(url.path, Self.naming(error.localizedDescription, staging: staging, output: url))
        }
    }

    /// `text` with the staging folder (by path or by its hidden name) replaced by the output's.
    static func naming(_ text: String, staging: URL, output: URL) -> String {
        text.replacingOccurrences(of: staging.path, with: output.path)
            .replacingOccurrences(of: staging.lastPathComponent, with: output.lastPathComponent)
    }
}
