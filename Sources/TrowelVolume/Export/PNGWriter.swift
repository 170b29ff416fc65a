import CPNG
import Foundation

/// Writes 8- or 16-bit greyscale slices as PNG files (`prefix_00000.png`) with libpng's
/// simplified API, storing values unchanged.
public struct PNGWriter: Sendable {
    public init() {}

    /// Writes slice `z` of `block` (u8 or u16) to `file`.
    public func write(slice z: Int, of block: AnyBlock, to file: URL) throws {
        precondition(z >= 0 && z < block.shape.z, "PNGWriter: slice \(z) outside 0..<\(block.shape.z)")
        let format: png_uint_32
        switch block.dtype {
        case .u8: format = 0
        case .u16: format = PNGFormat.linear
        default:
            throw ExportError.unsupportedDType(file: file.path, dtype: block.dtype, format: "PNG", supported: "uint8 and uint16")
        }
        var image = png_image()
        image.version = png_uint_32(PNG_IMAGE_VERSION)
        image.width = png_uint_32(block.shape.x)
        image.height = png_uint_32(block.shape.y)
        image.format = format
        defer { png_image_free(&image) }
        let planeBytes = block.shape.y * block.shape.x * block.dtype.size
        let written = block.withUnsafeRawBytes { bytes in
            png_image_write_to_file(&image, file.path, 0, bytes.baseAddress! + z * planeBytes, 0, nil)
        }
        guard written != 0 else {
            let message = withUnsafeBytes(of: image.message) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            throw ExportError.cannotWrite(file: file.path, reason: message.isEmpty ? "libpng failed" : message)
        }
    }

    /// Writes each slice of `block` to `prefix_<firstIndex + z>.png` in `folder` (created if missing);
    /// returns the files in order.
    @discardableResult
    public func writeSlices(_ block: AnyBlock, into folder: URL, prefix: String, firstIndex: Int = 0) throws -> [URL] {
        guard block.dtype == .u8 || block.dtype == .u16 else {
            throw ExportError.unsupportedDType(file: folder.path, dtype: block.dtype, format: "PNG", supported: "uint8 and uint16")
        }
        try createFolder(folder)
        return try (0..<block.shape.z).map { z in
            let file = folder.appendingPathComponent(SliceFileName.make(prefix: prefix, index: firstIndex + z, extension: "png"))
            try write(slice: z, of: block, to: file)
            return file
        }
    }
}
