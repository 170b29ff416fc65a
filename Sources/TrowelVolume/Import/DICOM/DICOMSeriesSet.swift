import Foundation

/// The DICOM series that command-line inputs (folders, searched recursively, files, glob patterns)
/// hold, largest first, so `trowel convert` can import one and `--list-series` can show them all.
public struct DICOMSeriesSet: Sendable {
    /// Every series found, the one with most voxels first (ties: by UID).
    public let series: [DICOMSeries]
    /// What the user gave, for messages.
    public let input: String

    /// Finds the DICOM files in `inputs` and reads their headers (not their pixels). Throws
    /// `DICOMError` when there are none, or one cannot be parsed.
    public init(resolving inputs: [String]) throws {
        input = inputs.joined(separator: " ")
        var paths: [String] = []
        for item in inputs { paths += try Self.dicomFiles(in: item) }
        var seen = Set<String>()
        paths = paths.filter { seen.insert($0).inserted }.naturallySorted()
        guard !paths.isEmpty else { throw DICOMError.noDICOMFiles(in: input) }
        var groups: [String: [DICOMHeader]] = [:]
        for path in paths {
            let header = try DICOMHeader(reading: URL(fileURLWithPath: path))
            // A DICOMDIR indexes the files; it is not part of any series.
            if header.sopClassUID == "1.2.840.10008.1.3.10" { continue }
            groups[header.seriesUID, default: []].append(header)
        }
        let all = groups.map { DICOMSeries(uid: $0.key, headers: $0.value) }
        guard all.contains(where: { $0.voxelCount > 0 }) else { throw DICOMError.noImages(in: input) }
        series = all.sorted { ($0.voxelCount, $1.uid) > ($1.voxelCount, $0.uid) }
    }

    /// The series to import: the one whose UID is `uid` (or that alone starts with it), or the largest.
    public func choose(_ uid: String?) throws(DICOMError) -> DICOMSeries {
        guard let uid else { return series[0] }
        if let exact = series.first(where: { $0.uid == uid }) { return exact }
        let matches = series.filter { $0.uid.hasPrefix(uid) }
        if matches.count == 1 { return matches[0] }
        throw .unknownSeries(uid, available: series.map(\.uid))
    }

    /// Whether `inputs` are DICOM rather than image slices: one file with the DICM signature, or
    /// folders (searched recursively) holding DICOM files and no PNG, TIFF or JPEG 2000 slices.
    public static func holdsDICOM(_ inputs: [String]) -> Bool {
        guard !inputs.isEmpty else { return false }
        for input in inputs {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: input, isDirectory: &isFolder) else {
                guard input.contains(where: { "*?[".contains($0) }) else { return false }
                let matches = SliceFiles.glob(input).filter { !SliceFiles.isFolder($0) }
                guard !matches.isEmpty, matches.allSatisfy({ isDICOM(fileAt: $0) }) else { return false }
                continue
            }
            if !isFolder.boolValue {
                guard isDICOM(fileAt: input) else { return false }
                continue
            }
            let names = (try? FileManager.default.contentsOfDirectory(atPath: input)) ?? []
            if names.contains(where: { SliceFiles.imageExtensions.contains(($0 as NSString).pathExtension.lowercased()) }) {
                return false
            }
            guard (try? dicomFiles(in: input, stopAtFirst: true))?.isEmpty == false else { return false }
        }
        return true
    }

    /// Whether the file at `path` starts with a DICOM preamble: 128 bytes, then `DICM`.
    public static func isDICOM(fileAt path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        guard let head = try? handle.read(upToCount: 132), head.count == 132 else { return false }
        return head.suffix(4).elementsEqual("DICM".utf8)
    }

    /// The DICOM files one input stands for: a file itself, a folder's (recursively, hidden ones
    /// skipped), a glob pattern's matches.
    static func dicomFiles(in input: String, stopAtFirst: Bool = false) throws -> [String] {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: input, isDirectory: &isFolder) {
            guard isFolder.boolValue else {
                guard isDICOM(fileAt: input) else { throw DICOMError.unreadable(file: input, reason: "no DICM signature at byte 128") }
                return [input]
            }
            let root = URL(fileURLWithPath: input)
            guard let walk = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey],
                                                            options: [.skipsHiddenFiles]) else {
                throw ImportError.unreadable(file: input, page: nil, reason: "cannot list the folder")
            }
            // Paths as the user gave the folder, so messages name what they typed.
            let prefix = input.hasSuffix("/") ? String(input.dropLast()) : input
            let rootPath = root.standardizedFileURL.path
            var found: [String] = []
            for case let url as URL in walk {
                guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true, isDICOM(fileAt: url.path) else { continue }
                let path = url.standardizedFileURL.path
                found.append(path.hasPrefix(rootPath + "/") ? prefix + path.dropFirst(rootPath.count) : path)
                if stopAtFirst { break }
            }
            return found
        }
        guard input.contains(where: { "*?[".contains($0) }) else { throw ImportError.notFound(path: input) }
        return SliceFiles.glob(input).filter { !SliceFiles.isFolder($0) && isDICOM(fileAt: $0) }
    }
}
