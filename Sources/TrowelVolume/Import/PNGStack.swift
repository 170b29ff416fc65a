import CPNG
import Foundation

/// A stack of PNG slices, one per file, read through libpng's simplified API (no setjmp).
///
/// 1-, 2-, 4- and 8-bit grey become `u8`; 16-bit grey becomes `u16` with the stored values
/// unchanged (gamma and colour-space chunks are ignored: scans store numbers, not colours).
/// Colour and palette images become their luminance (`Luminance`) at the input bit depth; an
/// alpha channel is ignored (libpng premultiplies 16-bit colour by alpha, so only opaque pixels
/// of 16-bit images with alpha keep their values). The size of every file is checked against
/// the first when the stack is opened.
public struct PNGStack: SliceSource {
    /// The slice files in z order.
    public let files: [URL]
    public let shape: Shape
    public let dtype: DType

    /// Opens the stack: reads every file's header (33 bytes) and checks that all slices have the
    /// first one's size and bit depth class (8 or 16). Throws `ImportError` naming the first bad file.
    public init(files: [URL]) throws {
        guard let first = files.first else { throw ImportError.noInput }
        let head = try PNGHeader(file: first)
        for file in files.dropFirst() {
            try PNGHeader(file: file).check(against: head, file: file.path, firstFile: first.path)
        }
        self.files = files
        self.shape = Shape(z: files.count, y: head.height, x: head.width)
        if let problem = shape.sizeProblem { throw ImportError.unsupported(file: first.path, page: nil, reason: "the stack's \(problem)") }
        self.dtype = head.dtype
    }

    public var summary: String {
        let folder = files.first.map { $0.deletingLastPathComponent().path } ?? ""
        return "\(files.count) PNG slice\(files.count == 1 ? "" : "s") in \(folder) (\(dtype))"
    }

    public func readSlices(_ range: Range<Int>) throws -> AnyBlock {
        precondition(range.lowerBound >= 0 && range.upperBound <= shape.z, "PNGStack: slices \(range) outside 0..<\(shape.z)")
        let plane = shape.y * shape.x
        return try AnyBlock.filling(dtype: dtype, shape: Shape(z: range.count, y: shape.y, x: shape.x)) { buffer in
            for (k, z) in range.enumerated() {
                let slice = UnsafeMutableRawBufferPointer(rebasing: buffer[(k * plane * dtype.size)..<((k + 1) * plane * dtype.size)])
                try readSlice(files[z], into: slice)
            }
        }
    }

    /// Decodes one file into `slice` (plane bytes of `dtype`).
    func readSlice(_ url: URL, into slice: UnsafeMutableRawBufferPointer) throws {
        let path = url.path
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ImportError.unreadable(file: path, page: nil, reason: "cannot read the file")
        }
        let header = try PNGHeader(bytes: [UInt8](data.prefix(PNGHeader.byteCount)), file: path)
        try header.checkSize(fileBytes: data.count, file: path)
        try header.check(against: PNGHeader(width: shape.x, height: shape.y, bitDepth: dtype == .u16 ? 16 : 8, colorType: 0),
                         file: path, firstFile: files[0].path)
        let bytes = PNGHeader.withoutColourManagement(data)
        // libpng reads from `bytes` between begin and finish, so both happen inside one access.
        try bytes.withUnsafeBytes { raw in
            try decode(raw, header: header, path: path, into: slice)
        }
    }

    /// Runs the simplified-API decode of PNG bytes `raw` into `slice`.
    func decode(_ raw: UnsafeRawBufferPointer, header: PNGHeader, path: String, into slice: UnsafeMutableRawBufferPointer) throws {
        var image = png_image()
        image.version = png_uint_32(PNG_IMAGE_VERSION)
        defer { png_image_free(&image) }
        func failure(_ fallback: String) -> ImportError {
            let message = withUnsafeBytes(of: image.message) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            return .unreadable(file: path, page: nil, reason: message.isEmpty ? fallback : message)
        }
        guard png_image_begin_read_from_memory(&image, raw.baseAddress, raw.count) != 0 else {
            throw failure("not a readable PNG")
        }
        let sixteen = header.bitDepth == 16
        let channels = header.channels
        var format: png_uint_32 = sixteen ? PNGFormat.linear : 0
        if channels.colour { format |= PNGFormat.colour }
        if channels.alpha { format |= PNGFormat.alpha }
        image.format = format
        let samplesPerPixel = (channels.colour ? 3 : 1) + (channels.alpha ? 1 : 0)
        let pixels = shape.x * shape.y

        if samplesPerPixel == 1 {
            // Grey without alpha decodes straight into the slice.
            guard png_image_finish_read(&image, nil, slice.baseAddress, 0, nil) != 0 else {
                throw failure("corrupt image data")
            }
            return
        }
        let sampleSize = sixteen ? 2 : 1
        var decoded = [UInt8](repeating: 0, count: pixels * samplesPerPixel * sampleSize)
        let finished = decoded.withUnsafeMutableBytes { png_image_finish_read(&image, nil, $0.baseAddress, 0, nil) }
        guard finished != 0 else { throw failure("corrupt image data") }
        decoded.withUnsafeBytes { raw in
            let src = raw.baseAddress!
            switch (sixteen, channels.colour) {
            case (false, false):
                Self.firstSample(src, as: UInt8.self, count: pixels, stride: samplesPerPixel, into: slice)
            case (true, false):
                Self.firstSample(src, as: UInt16.self, count: pixels, stride: samplesPerPixel, into: slice)
            case (false, true):
                Luminance.convert(src, as: UInt8.self, count: pixels, pixelStride: samplesPerPixel, componentStride: 1,
                                  into: slice.baseAddress!.assumingMemoryBound(to: UInt8.self)) { Double($0) }
            case (true, true):
                Luminance.convert(src, as: UInt16.self, count: pixels, pixelStride: samplesPerPixel, componentStride: 1,
                                  into: slice.baseAddress!.assumingMemoryBound(to: UInt16.self)) { Double($0) }
            }
        }
    }

    /// Copies the first sample of each pixel (grey of grey+alpha).
    static func firstSample<T>(_ src: UnsafeRawPointer, as _: T.Type, count: Int, stride: Int, into slice: UnsafeMutableRawBufferPointer) {
        let s = src.assumingMemoryBound(to: T.self)
        let d = slice.baseAddress!.assumingMemoryBound(to: T.self)
        for i in 0..<count { d[i] = s[i * stride] }
    }
}

/// The `png_image.format` flags (macros Swift does not import reliably).
enum PNGFormat {
    static let alpha: png_uint_32 = 0x01
    static let colour: png_uint_32 = 0x02
    static let linear: png_uint_32 = 0x04
}

/// What a PNG's IHDR chunk says, parsed from the first 33 bytes without libpng.
struct PNGHeader: Equatable {
    static let byteCount = 33
    var width: Int
    var height: Int
    var bitDepth: Int
    /// 0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA.
    var colorType: Int

    init(width: Int, height: Int, bitDepth: Int, colorType: Int) {
        self.width = width
        self.height = height
        self.bitDepth = bitDepth
        self.colorType = colorType
    }

    init(file: URL) throws {
        guard let handle = FileHandle(forReadingAtPath: file.path) else {
            throw ImportError.unreadable(file: file.path, page: nil, reason: "cannot open the file")
        }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: Self.byteCount)) ?? Data()
        try self.init(bytes: [UInt8](head), file: file.path)
        try checkSize(fileBytes: Int((try? handle.seekToEnd()) ?? 0), file: file.path)
    }

    /// Deflate expands at most about 1032:1, so a file holds at most that many bytes of
    /// scanlines; a header declaring more is a truncated or corrupt file. Checked before anything
    /// is allocated: a 162-byte file declaring 23 × 2 046 820 369 pixels made the import ask for
    /// 47 GB (found by Fuzz/fuzz-png).
    func checkSize(fileBytes: Int, file: String) throws {
        let channels = [0: 1, 2: 3, 3: 1, 4: 2, 6: 4][colorType] ?? 4
        let rowBytes = 1 + (width * channels * bitDepth + 7) / 8
        let (raw, overflow) = rowBytes.multipliedReportingOverflow(by: height)
        guard overflow || raw > 1100 * fileBytes + 4096 else { return }
        throw ImportError.unreadable(file: file, page: nil,
                                     reason: "its header declares \(width)×\(height) pixels, more than a file of \(fileBytes) bytes can hold (truncated or corrupt)")
    }

    init(bytes b: [UInt8], file: String) throws {
        guard ImageFormat.detect(signature: b) == .png else { throw ImportError.notAnImage(file: file) }
        guard b.count >= Self.byteCount, b[12..<16].elementsEqual("IHDR".utf8) else {
            throw ImportError.unreadable(file: file, page: nil, reason: "truncated PNG header")
        }
        func u32(_ i: Int) -> Int { Int(b[i]) << 24 | Int(b[i + 1]) << 16 | Int(b[i + 2]) << 8 | Int(b[i + 3]) }
        width = u32(16)
        height = u32(20)
        bitDepth = Int(b[24])
        colorType = Int(b[25])
        guard [0, 2, 3, 4, 6].contains(colorType), [1, 2, 4, 8, 16].contains(bitDepth), width > 0, height > 0 else {
            throw ImportError.unreadable(file: file, page: nil, reason: "invalid PNG header")
        }
    }

    /// `u16` for 16-bit files, `u8` for the rest (palette entries are 8-bit).
    var dtype: DType { bitDepth == 16 ? .u16 : .u8 }

    /// Whether decoded pixels carry colour and alpha (tRNS is dropped before decoding).
    var channels: (colour: Bool, alpha: Bool) {
        (colorType == 2 || colorType == 3 || colorType == 6, colorType == 4 || colorType == 6)
    }

    /// Throws unless this slice matches the stack's first slice in size and sample type.
    func check(against first: PNGHeader, file: String, firstFile: String) throws {
        guard width == first.width, height == first.height else {
            throw ImportError.sizeMismatch(file: file, page: nil, size: SliceSize(width: width, height: height),
                                           expected: SliceSize(width: first.width, height: first.height))
        }
        guard dtype == first.dtype else {
            throw ImportError.typeMismatch(file: file, page: nil, found: "\(bitDepth)-bit",
                                           expected: first.dtype == .u16 ? "16-bit" : "8-bit")
        }
    }

    /// Ancillary chunks that would make libpng change stored values (gamma, colour space) or add
    /// an alpha channel (tRNS).
    static let droppedChunks: Set<String> = ["gAMA", "sRGB", "iCCP", "cHRM", "tRNS", "sBIT"]

    /// The PNG bytes without `droppedChunks` before the first IDAT; anything malformed is left
    /// as it is for libpng to report.
    static func withoutColourManagement(_ data: Data) -> Data {
        var keep: [Range<Int>] = [0..<8]
        var i = 8
        var dropped = false
        data.withUnsafeBytes { (b: UnsafeRawBufferPointer) in
            while i + 8 <= b.count {
                let length = Int(b[i]) << 24 | Int(b[i + 1]) << 16 | Int(b[i + 2]) << 8 | Int(b[i + 3])
                let type = String(decoding: b[(i + 4)..<(i + 8)], as: UTF8.self)
                let end = i + 12 + length
                if type == "IDAT" || end > b.count { break }
                if droppedChunks.contains(type) { dropped = true } else { keep.append(i..<end) }
                i = end
            }
        }
        guard dropped else { return data }
        keep.append(i..<data.count)
        var out = Data(capacity: data.count)
        for r in keep { out.append(data[(data.startIndex + r.lowerBound)..<(data.startIndex + r.upperBound)]) }
        return out
    }
}
