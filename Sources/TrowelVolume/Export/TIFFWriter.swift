import CTIFF
import Foundation

/// Writes blocks as greyscale TIFF through libtiff: all slices as pages of one multi-page file,
/// or one file per slice (`prefix_00000.tif`). Every dtype is stored with its exact values.
public struct TIFFWriter: Sendable {
    /// How strips are compressed.
    public enum Compression: Sendable {
        case none
        /// zlib/Deflate with the horizontal (integers) or floating-point predictor.
        case deflate
    }

    public var compression: Compression

    public init(compression: Compression = .none) {
        self.compression = compression
    }

    /// Writes each slice of `block` as one page of the multi-page TIFF `file` (BigTIFF beyond
    /// 4 GB). With `appending`, pages are added to an existing file so a volume can be written a slab at a time.
    public func write(_ block: AnyBlock, to file: URL, appending: Bool = false) throws {
        let big = block.shape.voxelCount * block.dtype.size > 4_000_000_000
        let handle = try open(file, mode: appending ? "a" : (big ? "w8" : "w"))
        try block.withUnsafeRawBytes { bytes in
            let planeBytes = block.shape.y * block.shape.x * block.dtype.size
            for z in 0..<block.shape.z {
                try writePage(handle, UnsafeRawBufferPointer(rebasing: bytes[(z * planeBytes)..<((z + 1) * planeBytes)]),
                              width: block.shape.x, height: block.shape.y, dtype: block.dtype)
            }
        }
    }

    /// Writes each slice of `block` to its own file `prefix_<firstIndex + z>.tif` in `folder`
    /// (created if missing); returns the files in order.
    @discardableResult
    public func writeSlices(_ block: AnyBlock, into folder: URL, prefix: String, firstIndex: Int = 0) throws -> [URL] {
        try createFolder(folder)
        var files: [URL] = []
        try block.withUnsafeRawBytes { bytes in
            let planeBytes = block.shape.y * block.shape.x * block.dtype.size
            for z in 0..<block.shape.z {
                let file = folder.appendingPathComponent(SliceFileName.make(prefix: prefix, index: firstIndex + z, extension: "tif"))
                let handle = try open(file, mode: "w")
                try writePage(handle, UnsafeRawBufferPointer(rebasing: bytes[(z * planeBytes)..<((z + 1) * planeBytes)]),
                              width: block.shape.x, height: block.shape.y, dtype: block.dtype)
                files.append(file)
            }
        }
        return files
    }

    private func open(_ file: URL, mode: String) throws -> TIFFHandle {
        do {
            return try TIFFHandle(path: file.path, mode: mode)
        } catch {
            throw ExportError.cannotWrite(file: file.path, reason: error.reason)
        }
    }

    /// Writes one greyscale page in strips of about 64 KB and finishes its directory.
    private func writePage(_ handle: TIFFHandle, _ plane: UnsafeRawBufferPointer, width: Int, height: Int, dtype: DType) throws {
        func failure(_ what: String) -> ExportError {
            .cannotWrite(file: handle.path, reason: handle.lastError ?? what)
        }
        let format: Int32 = dtype.isFloatingPoint ? SAMPLEFORMAT_IEEEFP : (dtype == .i16 || dtype == .i32 ? SAMPLEFORMAT_INT : SAMPLEFORMAT_UINT)
        let rowBytes = width * dtype.size
        let rowsPerStrip = Swift.max(1, Swift.min(height, 65_536 / Swift.max(1, rowBytes)))
        handle.clearErrors()
        var ok = handle.set(TIFFTAG_IMAGEWIDTH, UInt32(width))
            && handle.set(TIFFTAG_IMAGELENGTH, UInt32(height))
            && handle.set(TIFFTAG_BITSPERSAMPLE, Int32(dtype.size * 8))
            && handle.set(TIFFTAG_SAMPLESPERPIXEL, Int32(1))
            && handle.set(TIFFTAG_SAMPLEFORMAT, format)
            && handle.set(TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK)
            && handle.set(TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG)
            && handle.set(TIFFTAG_ROWSPERSTRIP, UInt32(rowsPerStrip))
        switch compression {
        case .none:
            ok = ok && handle.set(TIFFTAG_COMPRESSION, COMPRESSION_NONE)
        case .deflate:
            ok = ok && handle.set(TIFFTAG_COMPRESSION, COMPRESSION_ADOBE_DEFLATE)
                && handle.set(TIFFTAG_PREDICTOR, dtype.isFloatingPoint ? PREDICTOR_FLOATINGPOINT : PREDICTOR_HORIZONTAL)
        }
        guard ok else { throw failure("libtiff rejected the page's tags") }
        for (strip, y0) in stride(from: 0, to: height, by: rowsPerStrip).enumerated() {
            let rows = Swift.min(rowsPerStrip, height - y0)
            // libtiff may encode in place (predictors), so it gets a copy, never the caller's block.
            let bytes = rows * rowBytes
            let copy = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 16)
            defer { copy.deallocate() }
            copy.copyMemory(from: plane.baseAddress! + y0 * rowBytes, byteCount: bytes)
            guard TIFFWriteEncodedStrip(handle.tiff, UInt32(strip), copy, tmsize_t(bytes)) == bytes else {
                throw failure("cannot write strip \(strip)")
            }
        }
        guard TIFFWriteDirectory(handle.tiff) == 1, handle.lastError == nil else { throw failure("cannot write the page's directory") }
    }
}

/// Creates `folder` and its parents, or throws `ExportError.cannotWrite`.
func createFolder(_ folder: URL) throws {
    do {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    } catch {
        throw ExportError.cannotWrite(file: folder.path, reason: "cannot create the folder")
    }
}

extension AnyBlock {
    /// Calls `body` with the block's elements as raw bytes (native byte order).
    func withUnsafeRawBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        switch self {
        case .u8(let b): return try b.elements.withUnsafeBytes(body)
        case .u16(let b): return try b.elements.withUnsafeBytes(body)
        case .i16(let b): return try b.elements.withUnsafeBytes(body)
        case .u32(let b): return try b.elements.withUnsafeBytes(body)
        case .i32(let b): return try b.elements.withUnsafeBytes(body)
        case .f32(let b): return try b.elements.withUnsafeBytes(body)
        case .f64(let b): return try b.elements.withUnsafeBytes(body)
        }
    }
}
