import Foundation
import Testing
import TrowelServe

/// Which request paths name a file that may be served, and which are refused.
struct ServedTreeTests {
    @Test func servesOnlyTheArraysAndFinishedSegmentations() throws {
        let folder = try ServedFolder()
        defer { folder.remove() }
        let tree = try ServedTree(project: folder.project)
        func isFile(_ path: String) -> Bool { if case .file = tree.resolve(path) { return true } else { return false } }
        #expect(isFile("/volume.zarr/.zattrs"))
        #expect(isFile("/volume.zarr/0/.zarray"))
        #expect(isFile("/volume.zarr/0/0/0/0"))
        #expect(isFile("/volume.zarr/0/same"))
        #expect(isFile("/labels.zarr/.zarray"))
        #expect(isFile("/segmentations/done.zarr/0/0/0/0"))
        #expect(isFile("/segmentations/done-probabilities.zarr/class-1/0/0/0"))
        // Not served: absent chunks, folders, the database, models, hidden and staging files, unfinished segmentations.
        for path in ["/volume.zarr/0/9/9/9", "/volume.zarr/0", "/volume.zarr/", "/", "/project.sqlite", "/models/m.forest",
                     "/labels.zarr/.trowel-chunks", "/volume.zarr/.hidden-staging/0", "/segmentations/running.zarr/0/0/0/0",
                     "/segmentations/done.zarr/.done/pyramid", "/segmentations/.zarr/0", "/volume.zarr//0/.zarray"] {
            #expect(tree.resolve(path) == .notFound, "\(path)")
        }
        #expect(Set(tree.segmentations()) == ["done"])
        #expect(tree.hasLabels)
    }

    @Test func refusesDotsEncodedSeparatorsAndSymlinkEscapes() throws {
        let folder = try ServedFolder()
        defer { folder.remove() }
        let tree = try ServedTree(project: folder.project)
        func isRefused(_ path: String) -> Bool { if case .refused = tree.resolve(path) { return true } else { return false } }
        for path in ["/volume.zarr/../project.sqlite", "/volume.zarr/%2e%2e/project.sqlite", "/volume.zarr/%2E%2E/%2E%2E/outside.txt",
                     "/volume.zarr/0/%2e%2e%2f%2e%2e%2fproject.sqlite", "/volume.zarr/./0/.zarray", "/volume.zarr/0%2f0/0/0",
                     "/volume.zarr/0/db", "/volume.zarr/0/out", "/labels.zarr/0/0/0/0", "volume.zarr/0/.zarray"] {
            #expect(isRefused(path), "\(path)")
        }
    }
}
