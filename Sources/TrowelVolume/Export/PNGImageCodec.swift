import CPNG

/// 8-bit RGB images to and from PNG bytes in memory, through libpng's simplified API (no
/// setjmp): iTerm2's inline images are PNG, and tests read them back.
public enum PNGImageCodec {
    /// Encodes `rgb` (width × height × 3 bytes, row-major) as a PNG; `fast` trades size for speed.
    public static func encodeRGB(_ rgb: UnsafeRawBufferPointer, width: Int, height: Int, fast: Bool = true) throws(PNGCodecError) -> [UInt8] {
        precondition(rgb.count >= width * height * 3, "PNGImageCodec: \(rgb.count) bytes for \(width)×\(height) RGB")
        var image = png_image()
        image.version = png_uint_32(PNG_IMAGE_VERSION)
        image.width = png_uint_32(width)
        image.height = png_uint_32(height)
        image.format = PNGFormat.colour
        image.flags = fast ? png_uint_32(PNG_IMAGE_FLAG_FAST) : 0
        defer { png_image_free(&image) }
        var size = 0
        guard png_image_write_to_memory(&image, nil, &size, 0, rgb.baseAddress, 0, nil) != 0, size > 0 else {
            throw PNGCodecError(message: "cannot encode a \(width)×\(height) PNG: \(message(image))")
        }
        var ok: Int32 = 0
        let out = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            var written = size
            ok = png_image_write_to_memory(&image, buffer.baseAddress, &written, 0, rgb.baseAddress, 0, nil)
            count = ok != 0 ? written : 0
        }
        guard ok != 0 else { throw PNGCodecError(message: "cannot encode a \(width)×\(height) PNG: \(message(image))") }
        return out
    }

    /// Decodes PNG bytes into 8-bit RGB (any PNG colour type is converted).
    public static func decodeRGB(_ png: [UInt8]) throws(PNGCodecError) -> (width: Int, height: Int, rgb: [UInt8]) {
        var image = png_image()
        image.version = png_uint_32(PNG_IMAGE_VERSION)
        defer { png_image_free(&image) }
        let begun = png.withUnsafeBytes { png_image_begin_read_from_memory(&image, $0.baseAddress, $0.count) }
        guard begun != 0 else { throw PNGCodecError(message: "not a readable PNG: \(message(image))") }
        image.format = PNGFormat.colour
        let width = Int(image.width), height = Int(image.height)
        var rgb = [UInt8](repeating: 0, count: width * height * 3)
        let done = rgb.withUnsafeMutableBytes { png_image_finish_read(&image, nil, $0.baseAddress, 0, nil) }
        guard done != 0 else { throw PNGCodecError(message: "cannot decode the PNG: \(message(image))") }
        return (width, height, rgb)
    }

    private static func message(_ image: png_image) -> String {
        let text = withUnsafeBytes(of: image.message) { raw in String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self) }
        return text.isEmpty ? "libpng failed" : text
    }
}

/// A PNG that libpng could not write or read.
public struct PNGCodecError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
