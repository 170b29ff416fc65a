import Foundation
import TrowelVolume

/// Frames in kitty's graphics protocol: 24-bit RGB (`f=24`), zlib-compressed (`o=z`), base64 in
/// chunks of 4096 bytes, transmitted and placed in one go (`a=T`) at the cursor and scaled to an
/// exact rectangle of cells (`c=`, `r=`), the cursor left where it was (`C=1`), replies off (`q=2`).
///
/// Two image ids alternate per pane: the new frame is placed over the old one before the old one
/// is deleted, so a slice step never shows an empty pane.
public struct KittyEncoder: Sendable {
    /// Base64 bytes per escape sequence (the protocol's maximum).
    public static let chunkSize = 4096
    public var compressionLevel: Int
    /// Threads that compress pieces of a frame at once (one zlib stream all the same).
    public var threads: Int

    public init(compressionLevel: Int = 1, threads: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.compressionLevel = compressionLevel
        self.threads = max(1, threads)
    }

    /// The escapes that transmit `image` as image `id` and place it over `columns` × `rows` cells
    /// at the cursor.
    public func transmit(_ image: PixelImage, id: UInt32, columns: Int, rows: Int) throws(ZlibError) -> [UInt8] {
        let compressed = try image.withRGBBytes { bytes throws(ZlibError) in try Zlib.compressInParallel(bytes, level: compressionLevel, pieces: threads) }
        var payload: [UInt8] = []
        payload.reserveCapacity(Base64.encodedCount(compressed.count))
        compressed.withUnsafeBytes { Base64.append($0, to: &payload) }
        let control = "a=T,f=24,o=z,s=\(image.width),v=\(image.height),i=\(id),p=1,c=\(columns),r=\(rows),C=1,q=2"
        var out: [UInt8] = []
        out.reserveCapacity(payload.count + (payload.count / Self.chunkSize + 1) * 16 + control.utf8.count)
        var start = 0
        repeat {
            let end = min(payload.count, start + Self.chunkSize)
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
