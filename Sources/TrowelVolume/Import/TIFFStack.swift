import CTIFF
import Foundation

/// A stack of TIFF pages read through libtiff: single-page slice files, one multi-page file
/// (ImageJ hyperstacks from tifffile), or several multi-page files one after the other.
///
/// Reads 8/16/32-bit signed and unsigned integers and 32/64-bit floats (8-bit signed becomes
/// `i16`), in strips or tiles, with any compression libtiff decodes. RGB pages become their
/// luminance (`Luminance`); grey+alpha pages their grey; MinIsWhite values are kept as stored
/// (as tifffile does). Every page's size and sample type is
/// checked against the first when the stack is opened, and again when it is read.
///
/// ImageJ stacks over 4 GB (ImageJ and tifffile write them with a single directory, the other
/// slices following the first one's pixels, and `images=N` in the description) are read too.
public struct TIFFStack: SliceSource {
    /// The files in stack order.
    public let files: [URL]
    public let shape: Shape
    public let dtype: DType
    /// Where each slice lives: file, page within it, and its directory offset for direct seeks.
    let pages: [TIFFPageLocation]
    /// The first page's layout, which every page must match in size and sample type.
    let firstLayout: TIFFLayout

    /// Opens the stack, walking every page of every file (headers only) to count slices and
    /// check sizes and sample types. Throws `ImportError` naming the first bad file and page.
    public init(files: [URL]) throws {
        guard !files.isEmpty else { throw ImportError.noInput }
        var pages: [TIFFPageLocation] = []
        var first: TIFFLayout?
        for (fileIndex, url) in files.enumerated() {
            guard try ImageFormat.detect(fileAt: url) == .tiff else { throw ImportError.notAnImage(file: url.path) }
            let handle = try TIFFHandle.reading(url.path)
            let count = Int(TIFFNumberOfDirectories(handle.tiff))
            let multiPage = count > 1
            let fileBytes = ((try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? Int) ?? Int.max
            var index = 0
            while true {
                let page = multiPage ? index : nil
                let layout = try TIFFLayout(handle, page: page)
                try layout.checkSize(fileBytes: fileBytes, file: url.path, page: page)
                if let first {
                    try layout.check(against: first, file: url.path, page: page)
                } else {
                    first = layout
                }
                pages.append(TIFFPageLocation(file: fileIndex, page: page, storage: .directory(TIFFCurrentDirOffset(handle.tiff))))
                if TIFFLastDirectory(handle.tiff) != 0 {
                    if count == 1, let more = try ImageJContiguousPages(handle, layout: layout) {
                        for k in 1..<more.count {
                            let offset = more.firstOffset + UInt64(k) * UInt64(more.pageBytes)
                            pages.append(TIFFPageLocation(file: fileIndex, page: k, storage: .contiguous(offset, byteSwapped: more.byteSwapped)))
                        }
                        pages[pages.count - more.count].page = 0
                    }
                    break
                }
                handle.clearErrors()
                guard TIFFReadDirectory(handle.tiff) == 1 else {
                    throw handle.failure("cannot read the next page's directory", page: index + 1)
                }
                index += 1
            }
        }
        guard let first else { throw ImportError.noInput }
        self.files = files
        self.pages = pages
        self.firstLayout = first
        self.shape = Shape(z: pages.count, y: first.height, x: first.width)
        if let problem = shape.sizeProblem { throw ImportError.unsupported(file: files[0].path, page: nil, reason: "the stack's \(problem)") }
        self.dtype = first.sampleType.dtype
    }

    public var summary: String {
        let s = shape.z == 1 ? "" : "s"
        if files.count == 1 {
            return "\(shape.z) TIFF page\(s) in \(files[0].path) (\(dtype))"
        }
        let folder = files[0].deletingLastPathComponent().path
        if files.count == shape.z {
            return "\(shape.z) TIFF slice\(s) in \(folder) (\(dtype))"
        }
        return "\(shape.z) TIFF pages in \(files.count) files in \(folder) (\(dtype))"
    }

    public func readSlices(_ range: Range<Int>) throws -> AnyBlock {
        precondition(range.lowerBound >= 0 && range.upperBound <= shape.z, "TIFFStack: slices \(range) outside 0..<\(shape.z)")
        let planeBytes = shape.y * shape.x * dtype.size
        return try AnyBlock.filling(dtype: dtype, shape: Shape(z: range.count, y: shape.y, x: shape.x)) { buffer in
            var open: (file: Int, handle: TIFFHandle)?
            for (k, z) in range.enumerated() {
                let location = pages[z]
                let slice = UnsafeMutableRawBufferPointer(rebasing: buffer[(k * planeBytes)..<((k + 1) * planeBytes)])
                guard case .directory(let directory) = location.storage else {
                    try ImageJContiguousPages.read(location, of: files[location.file].path, layout: firstLayout, as: dtype, into: slice)
                    continue
                }
                let handle: TIFFHandle
                if let open, open.file == location.file {
                    handle = open.handle
                } else {
                    handle = try TIFFHandle.reading(files[location.file].path)
                    open = (location.file, handle)
                }
                handle.clearErrors()
                guard TIFFSetSubDirectory(handle.tiff, directory) == 1 else {
                    throw handle.failure("cannot read the page's directory", page: location.page)
                }
                let layout = try TIFFLayout(handle, page: location.page)
                try layout.check(against: firstLayout, file: handle.path, page: location.page)
                try TIFFPageDecoder(handle: handle, layout: layout, page: location.page).decode(as: dtype, into: slice)
            }
        }
    }
}

/// Where one slice of a `TIFFStack` is stored.
struct TIFFPageLocation: Sendable {
    var file: Int
    /// Page number within a multi-page file; nil for single-page files (so errors name just the file).
    var page: Int?
    var storage: Storage

    enum Storage: Sendable {
        /// A page with its own directory, at this offset.
        case directory(UInt64)
        /// Uncompressed pixels at this byte offset, laid out like the file's first page (ImageJ > 4 GB).
        case contiguous(UInt64, byteSwapped: Bool)
    }
}
