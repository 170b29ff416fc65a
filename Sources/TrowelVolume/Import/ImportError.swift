import Foundation

/// Why a scan could not be imported: one line naming the file (and page) and what is wrong,
/// so the user knows which slice to fix without reading a stack trace.
public enum ImportError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No inputs were given at all.
    case noInput
    /// An input path does not exist and is not a glob pattern.
    case notFound(path: String)
    /// A folder or glob pattern holds no image files.
    case noImageFiles(in: String)
    /// The file is not a PNG, TIFF or JPEG 2000 image (judged by its first bytes, not its name).
    case notAnImage(file: String)
    /// The stack mixes formats, e.g. a TIFF among PNG slices.
    case mixedFormats(file: String, format: ImageFormat, firstFile: String, firstFormat: ImageFormat)
    /// A slice's width and height differ from the stack's first slice.
    case sizeMismatch(file: String, page: Int?, size: SliceSize, expected: SliceSize)
    /// A slice's sample type differs from the stack's first slice (e.g. 8-bit among 16-bit).
    case typeMismatch(file: String, page: Int?, found: String, expected: String)
    /// The file is a valid image in a layout Trowel does not read (e.g. 1-bit or CMYK).
    case unsupported(file: String, page: Int?, reason: String)
    /// The file could not be opened or decoded (the library's message in `reason`).
    case unreadable(file: String, page: Int?, reason: String)
    /// A raw volume's size does not match `--shape`, `--dtype` and `--header-bytes`.
    case rawSizeMismatch(file: String, actualBytes: Int, shape: Shape, dtype: DType, headerBytes: Int)
    /// A raw volume's layout options make no sense (empty shape, negative header).
    case invalidRawLayout(file: String, reason: String)

    /// The file (or input) the error is about, if any.
    public var file: String? {
        switch self {
        case .noInput: return nil
        case .notFound(let path): return path
        case .noImageFiles(let input): return input
        case .notAnImage(let file), .mixedFormats(let file, _, _, _), .sizeMismatch(let file, _, _, _),
             .typeMismatch(let file, _, _, _), .unsupported(let file, _, _), .unreadable(let file, _, _),
             .rawSizeMismatch(let file, _, _, _, _), .invalidRawLayout(let file, _):
            return file
        }
    }

    public var description: String {
        func at(_ file: String, _ page: Int?) -> String {
            page.map { "\(file) (page \($0 + 1))" } ?? file
        }
        switch self {
        case .noInput:
            return "no input: give a folder, a glob pattern or image files"
        case .notFound(let path):
            return "\(path): no such file or folder"
        case .noImageFiles(let input):
            return "no image files in \(input)"
        case .notAnImage(let file):
            return "\(file): not a PNG, TIFF or JPEG 2000 image"
        case .mixedFormats(let file, let format, let firstFile, let firstFormat):
            let sameFolder = (file as NSString).deletingLastPathComponent == (firstFile as NSString).deletingLastPathComponent
            let first = sameFolder ? (firstFile as NSString).lastPathComponent : firstFile
            return "\(file): \(format), but the stack's first slice \(first) is \(firstFormat); convert one format at a time"
        case .sizeMismatch(let file, let page, let size, let expected):
            return "\(at(file, page)): \(size) pixels, but the stack's first slice is \(expected)"
        case .typeMismatch(let file, let page, let found, let expected):
            return "\(at(file, page)): \(found) samples, but the stack's first slice has \(expected)"
        case .unsupported(let file, let page, let reason):
            return "\(at(file, page)): \(reason)"
        case .unreadable(let file, let page, let reason):
            return "\(at(file, page)): cannot read: \(reason)"
        case .rawSizeMismatch(let file, let actual, let shape, let dtype, let header):
            let data = shape.voxelCount * dtype.size
            var line = "\(file): \(actual) bytes, but --shape \(shape.z),\(shape.y),\(shape.x) --dtype \(dtype.rawValue)"
                + " needs \(data) + header \(header) = \(data + header)"
            if actual > data, header != actual - data {
                line += " (if the extra bytes are a header: --header-bytes \(actual - data))"
            }
            return line
        case .invalidRawLayout(let file, let reason):
            return "\(file): \(reason)"
        }
    }
}

/// The width and height of one slice in pixels, printed as `width×height`.
public struct SliceSize: Hashable, Sendable, CustomStringConvertible {
    public var width: Int
    public var height: Int

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    public var description: String { "\(width)×\(height)" }
}
