import Foundation
import TrowelVolume

/// Frames in kitty's graphics protocol, transmitted and placed in one go (`a=T`) at the cursor
/// and scaled to an exact rectangle of cells (`c=`, `r=`), the cursor left where it was (`C=1`),
/// replies off (`q=2`), base64 in chunks of 4096 bytes.
///
/// The frame goes as PNG (`f=100`, `PNGFrameEncoder`): a slice of greys is one byte a pixel before
/// compression instead of three, and repeated rows cost nothing, so a 1024² slice on 1690×1160
/// screen pixels costs less than the slice's own PNG. `.rgb` keeps the protocol's raw form,
/// zlib-compressed RGB (`f=24,o=z`), which every kitty-protocol terminal reads.
///
/// Two image ids alternate per pane: the new frame is placed over the old one before the old one
/// is deleted, so a slice step never shows an empty pane.
public struct KittyEncoder: Sendable {
    public enum Format: String, Sendable {
        case png
        case rgb
    }

    /// Base64 bytes per escape sequence (the protocol's maximum).
    public static let chunkSize = 4096
    public var format: Format
    public var compressionLevel: Int
    /// Threads that compress pieces of a frame at once (one zlib stream all the same).
    public var threads: Int

    public init(format: Format = .png, compressionLevel: Int = 1, threads: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.format = format
        self.compressionLevel = compressionLevel
        self.threads = max(1, threads)
    }

    /// The escapes that transmit `image` as image `id` and place it over `columns` × `rows` cells
    /// at the cursor.
    public func transmit(_ image: PixelImage, id: UInt32, columns: Int, rows: Int) throws(ZlibError) -> [UInt8] {
        let data: [UInt8], keys: String
        switch format {
        case .png:
            data = try PNGFrameEncoder(level: compressionLevel, threads: threads).encode(image).png
            keys = "f=100"
        case .rgb:
            data = try image.withRGBBytes { bytes throws(ZlibError) in try Zlib.compressInParallel(bytes, level: compressionLevel, pieces: threads) }
            keys = "f=24,o=z,s=\(image.width),v=\(image.height)"
        }
        return Self.chunked(data, control: "a=T,\(keys),i=\(id),p=1,c=\(columns),r=\(rows),C=1,q=2")
    }

    /// The escapes that replace the rectangle of image `id` whose top-left pixel is (`x`, `y`)
    /// with `patch` (`a=f`: edit frame 1, `X=1`: overwrite), leaving the rest of the image and its
    /// placement as they are: a moved cursor or a dab of paint costs its rectangle, not the frame.
    public func edit(id: UInt32, x: Int, y: Int, with patch: PixelImage) throws(ZlibError) -> [UInt8] {
        let png = try PNGFrameEncoder(level: compressionLevel, threads: threads).encode(patch).png
        return Self.chunked(png, control: "a=f,i=\(id),r=1,x=\(x),y=\(y),X=1,f=100,q=2")
    }

    /// `data` in base64 escapes of at most `chunkSize` bytes, the keys on the first.
    static func chunked(_ data: [UInt8], control: String) -> [UInt8] {
        var payload: [UInt8] = []
        payload.reserveCapacity(Base64.encodedCount(data.count))
        data.withUnsafeBytes { Base64.append($0, to: &payload) }
        var out: [UInt8] = []
        out.reserveCapacity(payload.count + (payload.count / chunkSize + 1) * 16 + control.utf8.count)
        var start = 0
        repeat {
            let end = min(payload.count, start + chunkSize)
            let more = end < payload.count ? 1 : 0
            out += Array("\u{1B}_G".utf8)
            out += Array((start == 0 ? "\(control),m=\(more)" : "m=\(more)").utf8)
            out.append(UInt8(ascii: ";"))
            out += payload[start..<end]
            out += [0x1B, UInt8(ascii: "\\")]
            start = end
        } while start < payload.count
        return out
    }

    /// Deletes image `id` and its placements, freeing the terminal's memory (`a=d,d=I`).
    public func delete(id: UInt32) -> [UInt8] {
        Array("\u{1B}_Ga=d,d=I,i=\(id),q=2\u{1B}\\".utf8)
    }

    /// Deletes every image this program placed (on quit and before falling back to cells).
    public func deleteAll() -> [UInt8] {
        Array("\u{1B}_Ga=d,d=A,q=2\u{1B}\\".utf8)
    }
}
