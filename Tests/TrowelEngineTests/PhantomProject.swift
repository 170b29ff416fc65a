import Foundation
import TrowelVolume
@testable import TrowelEngine

/// The small phantom project the annotation suites paint on (volume chunks of 16), and a
/// writable labels store on it as another session would open one.
enum PhantomProject {
    /// A project from the phantom at `parent/p.trowel`, `size` voxels wide and `slices` deep.
    static func make(in parent: URL, size: Int = 40, slices: Int = 24) throws -> Project {
        try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        var options = VolumeImporter.Options()
        options.chunk = 16
        return try ProjectBuilder(importOptions: options).build(from: try FossilPhantom(size: size, slices: slices),
                                                              at: parent.appendingPathComponent("p.trowel")).0
    }

    /// A writable store on `project` for `author`, opened afresh (its own session and lock descriptions).
    static func store(_ project: Project, _ author: String) throws -> LabelStore {
        try LabelStore(project: try Project.open(at: project.url), shape: try project.record().shape, author: author, writable: true)
    }
}
