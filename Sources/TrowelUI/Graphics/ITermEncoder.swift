import TrowelVolume

/// Frames as iTerm2 inline images: the frame as PNG (libpng, fast filters) in base64 inside
/// `OSC 1337 ; File=inline=1;…: … BEL`, stretched to an exact rectangle of cells.
public struct ITermEncoder: Sendable {
    public init() {}

    /// The OSC sequence that draws `image` over `columns` × `rows` cells at the cursor.
    public func encode(_ image: PixelImage, columns: Int, rows: Int) throws(PNGCodecError) -> [UInt8] {
        let png = try image.withRGBBytes { bytes throws(PNGCodecError) in
            try PNGImageCodec.encodeRGB(bytes, width: image.width, height: image.height)
        }
        var out = Array("\u{1B}]1337;File=inline=1;size=\(png.count);width=\(columns);height=\(rows);preserveAspectRatio=0;doNotMoveCursor=1:".utf8)
        out.reserveCapacity(out.count + Base64.encodedCount(png.count) + 1)
        png.withUnsafeBytes { Base64.append($0, to: &out) }
        out.append(0x07)
        return out
    }
}
