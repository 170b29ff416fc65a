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
        let staging = parent.appendingPathComponent(".\(url.lastPathComponent).partial-\(getpid())")
        try? fm.removeItem(at: staging)
        do {
            try fm.createDirectory(at: staging, withIntermediateDirectories: false)
        } catch {
            throw ProjectError.unwritable(url.path, error.localizedDescription)
        }
        do {
            let importer = VolumeImporter(options: importOptions)
            let result = try importer.run(from: source, to: staging.appendingPathComponent(Project.volumeName),
                                          name: url.deletingPathExtension().lastPathComponent,
                                          progress: progress, isCancelled: isCancelled)
            let record = ProjectRecord(sourceSummary: source.summary, dtype: source.dtype, shape: source.shape,
                                       voxelSize: importOptions.voxelSize, values: result.values)
            let staged = try Project.initialize(at: staging, record: record)
            try staged.close()
            try fm.moveItem(at: staging, to: url)
            return (try Project.open(at: url), result)
        } catch is CancellationError {
            try? fm.removeItem(at: staging)
            throw ProjectError.cancelled(url.path)
        } catch {
            try? fm.removeItem(at: staging)
            throw error
        }
    }
}
