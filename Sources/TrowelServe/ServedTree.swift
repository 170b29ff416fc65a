import Foundation
import TrowelEngine

/// Which file of a project a request path names, if any may be served: only the scan
/// (`volume.zarr/`), the labels (`labels.zarr/`) and finished segmentations
/// (`segmentations/<id>.zarr/`, `<id>-probabilities.zarr/`), never the database, the models,
/// hidden or staging folders, and nothing a `..`, an encoded separator or a symlink leads outside of.
public struct ServedTree: Sendable {
    /// The answer for one request path.
    public enum Resolution: Equatable, Sendable {
        /// A regular file inside a served folder (its real path).
        case file(URL)
        /// Not there, or not something that is served (answered 404, as zarr readers expect of an absent chunk).
        case notFound
        /// A path that tries to leave the served folders (answered 403).
        case refused(String)
    }

    /// The project folder's real path (symlinks resolved).
    public let root: URL

    /// Zarr metadata files: the only hidden names that are served.
    static let metadataNames: Set<String> = [".zarray", ".zattrs", ".zgroup", ".zmetadata"]

    public init(project: URL) throws(ServeError) {
        guard let real = Self.realPath(project.path), Self.isDirectory(real) else { throw .notAFolder(project.path) }
        root = URL(fileURLWithPath: real, isDirectory: true)
    }

    /// Resolves a request's raw (still percent-encoded) path, e.g. `/volume.zarr/0/1/2/3`.
    public func resolve(_ rawPath: String) -> Resolution {
        guard rawPath.hasPrefix("/") else { return .refused("the path must start with /") }
        var segments: [String] = []
        let raw = rawPath.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
        for (i, piece) in raw.enumerated() {
            if piece.isEmpty {
                if i == raw.count - 1 { continue }  // a trailing slash
                return .notFound
            }
            guard let name = String(piece).removingPercentEncoding else { return .refused("malformed percent-encoding") }
            if name == "." || name == ".." { return .refused("'..' and '.' are not allowed in paths") }
            if name.contains("/") || name.contains("\\") || name.contains("\0") { return .refused("encoded separators are not allowed") }
            segments.append(name)
        }
        guard let (top, rest) = servedFolder(segments) else { return .notFound }
        for name in rest where name.hasPrefix(".") && !Self.metadataNames.contains(name) { return .notFound }
        guard !rest.isEmpty else { return .notFound }  // folders are not listed
        // Resolve symlinks: the file and the folder it is served from must both stay inside.
        guard let realTop = Self.realPath(top.path) else { return .notFound }
        guard realTop.hasPrefix(root.path + "/") else { return .refused("\(top.lastPathComponent) lies outside the project") }
        let candidate = rest.reduce(top) { $0.appendingPathComponent($1) }
        guard let real = Self.realPath(candidate.path) else { return .notFound }
        guard real.hasPrefix(realTop + "/") else { return .refused("a symlink leads outside \(top.lastPathComponent)") }
        guard Self.isRegularFile(real) else { return .notFound }
        return .file(URL(fileURLWithPath: real))
    }

    /// The served folder the first segments name, and the segments inside it.
    private func servedFolder(_ segments: [String]) -> (URL, ArraySlice<String>)? {
        guard let first = segments.first else { return nil }
        switch first {
        case Project.volumeName, LabelStore.folderName:
            return (root.appendingPathComponent(first, isDirectory: true), segments.dropFirst())
        case SegmentationStore.folderName:
            guard segments.count >= 2, let id = Self.segmentationID(segments[1]),
                  SegmentationStore(projectURL: root, id: id).isComplete else { return nil }
            return (root.appendingPathComponent(first).appendingPathComponent(segments[1], isDirectory: true), segments.dropFirst(2))
        default:
            return nil
        }
    }

    /// The segmentation id of a folder name under `segmentations/` (`ID.zarr` or `ID-probabilities.zarr`).
    static func segmentationID(_ folder: String) -> String? {
        guard folder.hasSuffix(".zarr"), !folder.hasPrefix(".") else { return nil }
        let stem = String(folder.dropLast(5))
        let id = stem.hasSuffix("-probabilities") ? String(stem.dropLast("-probabilities".count)) : stem
        return id.isEmpty ? nil : id
    }

    /// The finished segmentations, oldest first by the time their pyramid was completed.
    public func segmentations() -> [String] {
        let ids = SegmentationStore.ids(in: root).filter { SegmentationStore(projectURL: root, id: $0).isComplete }
        func finished(_ id: String) -> Date { SegmentationStore(projectURL: root, id: id).completedAt ?? .distantPast }
        return ids.map { ($0, finished($0)) }.sorted { ($0.1, $0.0) < ($1.1, $1.0) }.map(\.0)
    }

    /// True when the project has painted labels to show (`labels.zarr/.zarray` exists).
    public var hasLabels: Bool {
        FileManager.default.fileExists(atPath: root.appendingPathComponent(LabelStore.folderName).appendingPathComponent(".zarray").path)
    }

    static func realPath(_ path: String) -> String? {
        guard let p = realpath(path, nil) else { return nil }
        defer { free(p) }
        return String(cString: p)
    }

    static func isDirectory(_ path: String) -> Bool {
        var s = stat()
        return stat(path, &s) == 0 && (s.st_mode & S_IFMT) == S_IFDIR
    }

    static func isRegularFile(_ path: String) -> Bool {
        var s = stat()
        return stat(path, &s) == 0 && (s.st_mode & S_IFMT) == S_IFREG
    }
}
