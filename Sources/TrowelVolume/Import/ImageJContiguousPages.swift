import CTIFF
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The slices of an ImageJ stack stored past the 4 GB limit of classic TIFF: one directory, its
/// description saying `images=N`, and N uncompressed slices one after another from the first
/// slice's pixels on. libtiff sees one page; these are the other N-1.
struct ImageJContiguousPages {
    var count: Int
    var firstOffset: UInt64
    var pageBytes: Int
    var byteSwapped: Bool

    /// The layout of the stack in `handle`'s only directory, or nil when it is not such a stack.
    /// Throws if the description promises more slices than the file holds.
    init?(_ handle: TIFFHandle, layout: TIFFLayout) throws {
        let tiff = handle.tiff
        var description: UnsafeMutablePointer<CChar>?
        let found = withUnsafeMutablePointer(to: &description) { p in
            withVaList([p]) { TIFFVGetField(tiff, UInt32(TIFFTAG_IMAGEDESCRIPTION), $0) }
        }
        guard found == 1, let description, let images = Self.imageCount(String(cString: description)), images > 1,
              layout.samplesPerPixel == 1, layout.tile == nil,
              handle.field(TIFFTAG_COMPRESSION, UInt16.self).map({ Int32($0) == COMPRESSION_NONE }) == true
        else { return nil }
        let pageBytes = layout.width * layout.height * layout.sampleType.size
        let strips = TIFFNumberOfStrips(tiff)
        guard strips > 0 else { return nil }
        let first = TIFFGetStrileOffset(tiff, 0)
        var end = first
        for s in 0..<strips {
            guard TIFFGetStrileOffset(tiff, s) == end else { return nil }  // not contiguous: not the ImageJ layout
            end += TIFFGetStrileByteCount(tiff, s)
        }
        guard end - first == UInt64(pageBytes) else { return nil }
        let size = (try? FileManager.default.attributesOfItem(atPath: handle.path)[.size] as? NSNumber)?.uint64Value ?? 0
        let needed = first + UInt64(images) * UInt64(pageBytes)
        guard size >= needed else {
            throw ImportError.unreadable(file: handle.path, page: nil,
                                         reason: "the ImageJ header promises \(images) slices (\(needed) bytes) but the file has \(size) bytes; was it truncated?")
        }
        self.count = images
        self.firstOffset = first
        self.pageBytes = pageBytes
        self.byteSwapped = TIFFIsByteSwapped(tiff) != 0
    }

    /// `images=N` from an ImageJ description (`ImageJ=1.54f\nimages=412\n...`).
    static func imageCount(_ description: String) -> Int? {
        guard description.hasPrefix("ImageJ=") else { return nil }
        for line in description.split(whereSeparator: \.isNewline) where line.hasPrefix("images=") {
            return Int(line.dropFirst("images=".count))
        }
        return nil
    }

    /// Reads one contiguous slice into `slice` (converting 8-bit signed to `i16` like libtiff pages).
    static func read(_ location: TIFFPageLocation, of path: String, layout: TIFFLayout, as dtype: DType,
                     into slice: UnsafeMutableRawBufferPointer) throws {
        guard case .contiguous(let offset, let swapped) = location.storage else { return }
        let bytes = layout.width * layout.height * layout.sampleType.size
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw ImportError.unreadable(file: path, page: location.page, reason: String(cString: strerror(errno)))
        }
        defer { close(fd) }
        let raw = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 16)
        defer { raw.deallocate() }
        var done = 0
        while done < bytes {
            let n = pread(fd, raw + done, bytes - done, off_t(offset) + off_t(done))
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                throw ImportError.unreadable(file: path, page: location.page,
                                             reason: n < 0 ? String(cString: strerror(errno)) : "the file ends inside this slice")
            }
            done += n
        }
        if swapped { RawVolume.swapBytes(UnsafeMutableRawBufferPointer(start: raw, count: bytes), size: layout.sampleType.size) }
        if layout.sampleType == .i8 {
            let s = raw.assumingMemoryBound(to: Int8.self)
            let d = slice.baseAddress!.assumingMemoryBound(to: Int16.self)
            for i in 0..<(layout.width * layout.height) { d[i] = Int16(s[i]) }
        } else {
            slice.baseAddress!.copyMemory(from: raw, byteCount: bytes)
        }
    }
}
