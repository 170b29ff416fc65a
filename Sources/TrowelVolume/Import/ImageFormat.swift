import Foundation

/// The slice file formats Trowel reads, recognised by their first bytes rather than their names.
public enum ImageFormat: String, Sendable, CustomStringConvertible {
    case png = "PNG"
    case tiff = "TIFF"
    /// A JP2 file or a raw JPEG 2000 codestream (`.j2k`).
    case jpeg2000 = "JPEG 2000"

    public var description: String { rawValue }

    /// The format of the file at `url` from its signature: PNG, TIFF (`II*\0`, `MM\0*`), BigTIFF
    /// (`II+\0`, `MM\0+`), JP2 or a raw JPEG 2000 codestream; nil for anything else, including
    /// files too short to tell.
    public static func detect(fileAt url: URL) throws -> ImageFormat? {
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            throw ImportError.unreadable(file: url.path, page: nil, reason: "cannot open the file")
        }
        defer { try? handle.close() }
        let head: Data
        do {
            head = try handle.read(upToCount: 12) ?? Data()
        } catch {
            throw ImportError.unreadable(file: url.path, page: nil, reason: "\(error.localizedDescription)")
        }
        return detect(signature: [UInt8](head))
    }

    /// The format whose signature starts `bytes`, or nil.
    public static func detect(signature bytes: [UInt8]) -> ImageFormat? {
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if bytes.count >= 4 {
            let head = Array(bytes.prefix(4))
            if head == [0x49, 0x49, 0x2A, 0x00] || head == [0x4D, 0x4D, 0x00, 0x2A]
                || head == [0x49, 0x49, 0x2B, 0x00] || head == [0x4D, 0x4D, 0x00, 0x2B] {
                return .tiff
            }
        }
        if JPEG2000Decoder.isJP2(signature: bytes) != nil { return .jpeg2000 }
        return nil
    }
}
