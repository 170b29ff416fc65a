import Foundation

/// A project-shaped folder for the server's tests: a scan chunk, labels, one finished and one
/// unfinished segmentation, a database and models that must never be served, and symlinks that
/// try to leave the served folders.
struct ServedFolder {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("trowel-serve-\(UUID().uuidString)")
    var project: URL { url.appendingPathComponent("P.trowel") }
    /// The bytes of `volume.zarr/0/0/0/0`.
    let chunk = Data((0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 7) })

    init() throws {
        let fm = FileManager.default
        func write(_ path: String, _ data: Data) throws {
            let file = project.appendingPathComponent(path)
            try fm.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: file)
        }
        try write("volume.zarr/.zattrs", Data("{\"multiscales\":[]}".utf8))
        try write("volume.zarr/0/.zarray", Data("{\"zarr_format\":2}".utf8))
        try write("volume.zarr/0/0/0/0", chunk)
        try write("volume.zarr/.hidden-staging/0", Data("staging".utf8))
        try write("labels.zarr/.zarray", Data("{\"zarr_format\":2}".utf8))
        try write("labels.zarr/.trowel-chunks", Data("0/0/0\n".utf8))
        try write("project.sqlite", Data("SQLite format 3".utf8))
        try write("models/m.forest", Data("forest".utf8))
        try write("segmentations/done.zarr/0/0/0/0", Data("done".utf8))
        try write("segmentations/done.zarr/.done/pyramid", Data())
        try write("segmentations/running.zarr/0/0/0/0", Data("running".utf8))
        try write("segmentations/done-probabilities.zarr/class-1/0/0/0", Data("p".utf8))
        try write("../outside.txt", Data("outside".utf8))
        // Symlinks out of the served folders: to the database, and out of the project.
        try fm.createSymbolicLink(atPath: project.appendingPathComponent("volume.zarr/0/db").path, withDestinationPath: "../../project.sqlite")
        try fm.createSymbolicLink(atPath: project.appendingPathComponent("volume.zarr/0/out").path, withDestinationPath: "/etc/hostname")
        try fm.createSymbolicLink(atPath: project.appendingPathComponent("labels.zarr/0").path, withDestinationPath: "../volume.zarr/0")
        // A symlink that stays inside its folder is fine.
        try fm.createSymbolicLink(atPath: project.appendingPathComponent("volume.zarr/0/same").path, withDestinationPath: "0/0/0")
    }

    func remove() { try? FileManager.default.removeItem(at: url) }
}
