import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The image files of one scan: command-line inputs (folders, glob patterns, files) resolved into
/// one naturally sorted list of a single format, ready to open as a `SliceSource`.
public struct SliceFiles: Sendable, Equatable {
    /// The slice files in stack order (natural order of their paths).
    public let files: [URL]
    /// The format every file has, judged by its first bytes.
    public let format: ImageFormat

    /// File name extensions a folder is searched for (compared case-insensitively).
    public static let imageExtensions: Set<String> = ["png", "tif", "tiff", "jp2", "j2k", "j2c", "jpc"]

    /// Resolves `inputs`: a folder contributes its non-hidden `.png`/`.tif`/`.tiff` files (and
    /// JPEG 2000 `.jp2`/`.j2k`/`.j2c`/`.jpc`), a glob
    /// pattern (`scan/slice_*.tif`) every non-hidden regular file it matches, a file itself.
    /// Throws `ImportError` for a missing input, an input with no images, a non-image file or mixed formats.
    public init(resolving inputs: [String]) throws {
        guard !inputs.isEmpty else { throw ImportError.noInput }
        var paths: [String] = []
        for input in inputs {
            paths += try Self.expand(input)
        }
        var seen = Set<String>()
        let unique = paths.filter { seen.insert($0).inserted }.naturallySorted()
        var format: ImageFormat?
        var first = ""
        for path in unique {
            guard let f = try ImageFormat.detect(fileAt: URL(fileURLWithPath: path)) else {
                throw ImportError.notAnImage(file: path)
            }
            if let expected = format, f != expected {
                throw ImportError.mixedFormats(file: path, format: f, firstFile: first, firstFormat: expected)
            }
            if format == nil { format = f; first = path }
        }
        guard let format else { throw ImportError.noImageFiles(in: inputs.joined(separator: " ")) }
        self.files = unique.map { URL(fileURLWithPath: $0) }
        self.format = format
    }

    /// The stack as a source of slices: a `PNGStack`, a `TIFFStack` or a `JPEG2000Stack` (each
    /// checks every file's header).
    public func makeSource() throws -> any SliceSource {
        switch format {
        case .png: return try PNGStack(files: files)
        case .tiff: return try TIFFStack(files: files)
        case .jpeg2000: return try JPEG2000Stack(files: files)
        }
    }

    /// The paths one input stands for, unsorted.
    static func expand(_ input: String) throws -> [String] {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: input, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { return [input] }
            let names: [String]
            do {
                names = try FileManager.default.contentsOfDirectory(atPath: input)
            } catch {
                throw ImportError.unreadable(file: input, page: nil, reason: "cannot list the folder")
            }
            let images = names.filter { name in
                !name.hasPrefix(".") && imageExtensions.contains((name as NSString).pathExtension.lowercased())
            }
            guard !images.isEmpty else { throw ImportError.noImageFiles(in: input) }
            let folder = input.hasSuffix("/") ? String(input.dropLast()) : input
            return images.map { folder + "/" + $0 }.filter { !isFolder($0) }
        }
        guard input.contains(where: { "*?[".contains($0) }) else { throw ImportError.notFound(path: input) }
        let matches = glob(input).filter { path in
            !((path as NSString).lastPathComponent.hasPrefix(".")) && !isFolder(path)
        }
        guard !matches.isEmpty else { throw ImportError.noImageFiles(in: input) }
        return matches
    }

    static func isFolder(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// Paths matching a shell glob pattern (no matches: empty).
    static func glob(_ pattern: String) -> [String] {
        var result = glob_t()
        defer { globfree(&result) }
        #if canImport(Glibc)
        guard Glibc.glob(pattern, GLOB_BRACE | GLOB_TILDE, nil, &result) == 0 else { return [] }
        #else
        guard Darwin.glob(pattern, GLOB_BRACE | GLOB_TILDE, nil, &result) == 0 else { return [] }
        #endif
        return (0..<Int(result.gl_pathc)).compactMap { i in
            result.gl_pathv[i].map { String(cString: $0) }
        }
    }
}
