import COpenJPEG
import Foundation

/// Reads one JPEG 2000 file with libopenjp2: a JP2 file (boxes around a codestream) or a raw
/// J2K codestream, told apart by the first bytes, not the name.
///
/// openjpeg prints its errors and warnings to stderr unless given handlers; here every message
/// goes to an `OpenJPEGMessages` log instead, so the terminal stays clean and a failure's reason
/// is openjpeg's own first error. Decoding runs in strict mode, so a truncated file is an error
/// rather than a partly grey slice. Lossless files decode to exactly the stored integers.
struct JPEG2000Decoder {
    let file: URL
    var path: String { file.path }

    /// The first 12 bytes of a JP2 file: its signature box.
    static let jp2Signature: [UInt8] = [0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A]
    /// The first 4 bytes of a raw codestream: SOC then SIZ markers.
    static let codestreamSignature: [UInt8] = [0xFF, 0x4F, 0xFF, 0x51]

    /// Whether `bytes` start a JP2 file (true), a raw codestream (false), or neither (nil).
    static func isJP2(signature bytes: [UInt8]) -> Bool? {
        if bytes.starts(with: jp2Signature) { return true }
        if bytes.starts(with: codestreamSignature) { return false }
        return nil
    }

    /// The main header, without decoding any tile. Throws `ImportError` naming the file.
    func header() throws -> JPEG2000Header {
        try withImage { image, _, _, _ in Self.header(of: image.pointee) }
    }

    /// Decodes the file into `slice` (width × height samples of `dtype`) after checking that its
    /// header still matches `expected` (the file may have changed since the stack was opened).
    func decode(expecting expected: JPEG2000Header, as dtype: DType, into slice: UnsafeMutableRawBufferPointer) throws {
        try withImage { image, codec, stream, log in
            let header = Self.header(of: image.pointee)
            _ = try header.dtype(file: path)
            try header.check(against: expected, file: path)
            guard opj_decode(codec, stream, image) != 0, opj_end_decompress(codec, stream) != 0 else {
                throw failure(log, "corrupt or truncated JPEG 2000 data")
            }
            // A JP2 palette or channel definition can turn one stored component into several.
            let decoded = Self.header(of: image.pointee)
            _ = try decoded.dtype(file: path)
            let component = image.pointee.comps[0]
            guard let data = component.data else {
                throw ImportError.unreadable(file: path, page: nil, reason: "openjpeg decoded no pixels")
            }
            let size = SliceSize(width: Int(component.w), height: Int(component.h))
            guard size == expected.size else {
                throw ImportError.sizeMismatch(file: path, page: nil, size: size, expected: expected.size)
            }
            let count = expected.width * expected.height
            precondition(slice.count == count * dtype.size, "JPEG2000Decoder: slice buffer of \(slice.count) bytes for \(count) \(dtype) samples")
            switch dtype {
            case .u8: Self.copy(data, count: count, into: slice, as: UInt8.self)
            case .u16: Self.copy(data, count: count, into: slice, as: UInt16.self)
            case .i16: Self.copy(data, count: count, into: slice, as: Int16.self)
            default: preconditionFailure("JPEG2000Decoder: \(dtype) is not a JPEG 2000 sample type")
            }
        }
    }

    /// Opens the file, reads its main header and runs `body` with the image openjpeg allocated
    /// (header only until `opj_decode`), the codec, the stream and the message log; frees them after.
    private func withImage<R>(
        _ body: (UnsafeMutablePointer<opj_image_t>, UnsafeMutablePointer<opj_codec_t?>, UnsafeMutablePointer<opj_stream_t?>, OpenJPEGMessages) throws -> R
    ) throws -> R {
        let isJP2 = try Self.container(of: file)
        guard let stream = opj_stream_create_default_file_stream(path, 1) else {
            throw ImportError.unreadable(file: path, page: nil, reason: "cannot open the file")
        }
        defer { opj_stream_destroy(stream) }
        guard let codec = opj_create_decompress(isJP2 ? OPJ_CODEC_JP2 : OPJ_CODEC_J2K) else {
            throw ImportError.unreadable(file: path, page: nil, reason: "openjpeg could not create a decoder")
        }
        defer { opj_destroy_codec(codec) }
        let log = OpenJPEGMessages()
        return try withExtendedLifetime(log) {
            log.install(on: codec)
            var parameters = opj_dparameters_t()
            opj_set_default_decoder_parameters(&parameters)
            guard opj_setup_decoder(codec, &parameters) != 0 else {
                throw failure(log, "openjpeg could not set up the decoder")
            }
            _ = trowel_opj_set_strict_mode(codec)
            let cores = ProcessInfo.processInfo.activeProcessorCount
            if cores > 1 { _ = opj_codec_set_threads(codec, Int32(min(cores, 8))) }
            var image: UnsafeMutablePointer<opj_image_t>?
            defer { if let image { opj_image_destroy(image) } }
            guard opj_read_header(stream, codec, &image) != 0, let image else {
                throw failure(log, "corrupt or truncated JPEG 2000 header")
            }
            return try body(image, codec, stream, log)
        }
    }

    /// Whether the file is JP2 (true) or a raw codestream (false); throws `notAnImage` otherwise.
    static func container(of url: URL) throws -> Bool {
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            throw ImportError.unreadable(file: url.path, page: nil, reason: "cannot open the file")
        }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: jp2Signature.count)) ?? Data()
        guard let isJP2 = isJP2(signature: [UInt8](head)) else { throw ImportError.notAnImage(file: url.path) }
        return isJP2
    }

    /// The header fields of an image as openjpeg filled them in.
    static func header(of image: opj_image_t) -> JPEG2000Header {
        let count = Int(image.numcomps)
        let first = count > 0 ? image.comps[0] : opj_image_comp_t()
        return JPEG2000Header(
            width: Int(image.x1) - Int(image.x0), height: Int(image.y1) - Int(image.y0),
            components: count, precision: Int(first.prec), isSigned: first.sgnd != 0,
            isSubsampled: count > 0 && (first.dx != 1 || first.dy != 1))
    }

    /// Copies openjpeg's 32-bit samples into `slice` as `T`, clamping (lossless data is in range).
    static func copy<T: FixedWidthInteger>(_ source: UnsafeMutablePointer<Int32>, count: Int, into slice: UnsafeMutableRawBufferPointer, as _: T.Type) {
        let destination = slice.baseAddress!.assumingMemoryBound(to: T.self)
        for i in 0..<count { destination[i] = T(clamping: source[i]) }
    }

    /// An `unreadable` error: `what` went wrong, with openjpeg's first error message if it gave one.
    func failure(_ log: OpenJPEGMessages, _ what: String) -> ImportError {
        .unreadable(file: path, page: nil, reason: log.cause.map { "\(what) (openjpeg: \($0))" } ?? what)
    }
}
