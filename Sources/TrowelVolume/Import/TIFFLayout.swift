import CTIFF

/// The sample types a TIFF page can hold that Trowel reads.
enum TIFFSampleType: Sendable, Equatable, CustomStringConvertible {
    case u8, i8, u16, i16, u32, i32, f32, f64

    init?(bitsPerSample: Int, sampleFormat: Int) {
        switch (sampleFormat, bitsPerSample) {
        case (Int(SAMPLEFORMAT_UINT), 8): self = .u8
        case (Int(SAMPLEFORMAT_INT), 8): self = .i8
        case (Int(SAMPLEFORMAT_UINT), 16): self = .u16
        case (Int(SAMPLEFORMAT_INT), 16): self = .i16
        case (Int(SAMPLEFORMAT_UINT), 32): self = .u32
        case (Int(SAMPLEFORMAT_INT), 32): self = .i32
        case (Int(SAMPLEFORMAT_IEEEFP), 32): self = .f32
        case (Int(SAMPLEFORMAT_IEEEFP), 64): self = .f64
        default: return nil
        }
    }

    /// The dtype slices are imported as (8-bit signed widens to `i16`, the smallest signed dtype).
    var dtype: DType {
        switch self {
        case .u8: return .u8
        case .i8, .i16: return .i16
        case .u16: return .u16
        case .u32: return .u32
        case .i32: return .i32
        case .f32: return .f32
        case .f64: return .f64
        }
    }

    var size: Int {
        switch self {
        case .u8, .i8: return 1
        case .u16, .i16: return 2
        case .u32, .i32, .f32: return 4
        case .f64: return 8
        }
    }

    var description: String {
        switch self {
        case .u8: return "8-bit unsigned"
        case .i8: return "8-bit signed"
        case .u16: return "16-bit unsigned"
        case .i16: return "16-bit signed"
        case .u32: return "32-bit unsigned"
        case .i32: return "32-bit signed"
        case .f32: return "32-bit float"
        case .f64: return "64-bit float"
        }
    }
}

/// How the current page of a TIFF stores its pixels, from its tags.
struct TIFFLayout: Sendable {
    var width: Int
    var height: Int
    var sampleType: TIFFSampleType
    var samplesPerPixel: Int
    /// Whether pixels are RGB (turned into luminance); otherwise the first sample is grey.
    var isColour: Bool
    /// Each sample in its own plane (PLANARCONFIG_SEPARATE) rather than interleaved.
    var isPlanar: Bool
    /// Tile width and height for tiled pages, nil for strips.
    var tile: (width: Int, height: Int)?
    var rowsPerStrip: Int

    /// Reads the layout of `handle`'s current directory; throws for layouts Trowel cannot read.
    init(_ handle: TIFFHandle, page: Int?) throws {
        func unsupported(_ reason: String) -> ImportError { .unsupported(file: handle.path, page: page, reason: reason) }
        guard let w = handle.field(TIFFTAG_IMAGEWIDTH, UInt32.self), let h = handle.field(TIFFTAG_IMAGELENGTH, UInt32.self),
              w > 0, h > 0 else {
            throw handle.failure("the page has no width or height", page: page)
        }
        width = Int(w)
        height = Int(h)
        let bits = Int(handle.field(TIFFTAG_BITSPERSAMPLE, UInt16.self) ?? 1)
        let format = Int(handle.field(TIFFTAG_SAMPLEFORMAT, UInt16.self) ?? UInt16(SAMPLEFORMAT_UINT))
        guard let type = TIFFSampleType(bitsPerSample: bits, sampleFormat: format) else {
            let kind = format == Int(SAMPLEFORMAT_IEEEFP) ? "float" : (format == Int(SAMPLEFORMAT_INT) ? "signed" : "unsigned")
            throw unsupported("\(bits)-bit \(kind) samples are not supported (8, 16 or 32-bit integers, 32 or 64-bit floats)")
        }
        sampleType = type
        samplesPerPixel = Int(handle.field(TIFFTAG_SAMPLESPERPIXEL, UInt16.self) ?? 1)
        let photometric = Int32(handle.field(TIFFTAG_PHOTOMETRIC, UInt16.self, defaulted: false) ?? UInt16(PHOTOMETRIC_MINISBLACK))
        switch photometric {
        case PHOTOMETRIC_MINISBLACK, PHOTOMETRIC_MINISWHITE:
            guard samplesPerPixel <= 2 else {
                throw unsupported("\(samplesPerPixel) grey samples per pixel (one channel per page is expected)")
            }
            isColour = false
        case PHOTOMETRIC_RGB:
            guard samplesPerPixel >= 3 else { throw unsupported("RGB with \(samplesPerPixel) samples per pixel") }
            isColour = true
        case PHOTOMETRIC_PALETTE:
            throw unsupported("palette-colour TIFF; save it as greyscale first")
        default:
            throw unsupported("photometric interpretation \(photometric) (only greyscale and RGB are read)")
        }
        isPlanar = Int32(handle.field(TIFFTAG_PLANARCONFIG, UInt16.self) ?? UInt16(PLANARCONFIG_CONTIG)) == PLANARCONFIG_SEPARATE
        if TIFFIsTiled(handle.tiff) != 0 {
            guard let tw = handle.field(TIFFTAG_TILEWIDTH, UInt32.self), let th = handle.field(TIFFTAG_TILELENGTH, UInt32.self),
                  tw > 0, th > 0 else {
                throw handle.failure("tiled page without tile size", page: page)
            }
            tile = (Int(tw), Int(th))
        } else {
            tile = nil
        }
        let rows = Int(handle.field(TIFFTAG_ROWSPERSTRIP, UInt32.self) ?? UInt32.max)
        rowsPerStrip = Swift.max(1, Swift.min(rows, height))
    }

    /// Throws when the page declares more sample bytes than the file could hold even compressed
    /// (about 1032:1 for Deflate, less for LZW and PackBits): such a header is truncated or
    /// corrupt, and reading it would first allocate the whole page. A 1.8 KB file declaring
    /// 17 × 14 811 159 16-bit pixels made each read allocate 500 MB (found by Fuzz/fuzz-tiff).
    func checkSize(fileBytes: Int, file: String, page: Int?) throws {
        let (pixels, o1) = width.multipliedReportingOverflow(by: height)
        let (bytes, o2) = pixels.multipliedReportingOverflow(by: samplesPerPixel * sampleType.size)
        let (limit, o3) = fileBytes.multipliedReportingOverflow(by: 1100)
        guard !o3 else { return }
        if o1 || o2 || bytes > limit + 4096 {
            throw ImportError.unreadable(file: file, page: page,
                                         reason: "its header declares \(width)×\(height) pixels, more than a file of \(fileBytes) bytes can hold (truncated or corrupt)")
        }
        // A tile is decoded whole into a buffer of its own: a 2 KB file with 268435472×16 tiles for
        // a 17×23 page asked for 17 GB (found by Fuzz/fuzz-tiff). Tiles larger than the page are
        // allowed (small images saved with 256² tiles), not larger than the file could hold.
        if let tile {
            let (tilePixels, t1) = tile.width.multipliedReportingOverflow(by: tile.height)
            let (tileBytes, t2) = tilePixels.multipliedReportingOverflow(by: samplesPerPixel * sampleType.size)
            if t1 || t2 || tileBytes > limit + (1 << 20) {
                throw ImportError.unreadable(file: file, page: page,
                                             reason: "its tiles are \(tile.width)×\(tile.height) pixels, more than a file of \(fileBytes) bytes can hold (corrupt)")
            }
        }
    }

    /// Throws unless this page has `first`'s size and sample type.
    func check(against first: TIFFLayout, file: String, page: Int?) throws {
        guard width == first.width, height == first.height else {
            throw ImportError.sizeMismatch(file: file, page: page, size: SliceSize(width: width, height: height),
                                           expected: SliceSize(width: first.width, height: first.height))
        }
        guard sampleType == first.sampleType else {
            throw ImportError.typeMismatch(file: file, page: page, found: sampleType.description, expected: first.sampleType.description)
        }
    }
}
