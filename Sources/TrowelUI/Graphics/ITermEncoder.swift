import TrowelVolume

/// Frames as iTerm2 inline images: the frame as PNG (`PNGFrameEncoder`: grey, palette or RGB,
/// whichever holds it exactly) in base64 inside `OSC 1337 ; File=inline=1;…: … BEL`, stretched to
/// an exact rectangle of cells.
public struct ITermEncoder: Sendable {
    public var png: PNGFrameEncoder

    public init(png: PNGFrameEncoder = PNGFrameEncoder()) {
        self.png = png
    }

    /// The OSC sequence that draws `image` over `columns` × `rows` cells at the cursor.
    public func encode(_ image: PixelImage, columns: Int, rows: Int) throws(ZlibError) -> [UInt8] {
        let png = try self.png.encode(image).png
        var out = Array("\u{1B}]1337;File=inline=1;size=\(png.count);width=\(columns);height=\(rows);preserveAspectRatio=0;doNotMoveCursor=1:".utf8)
        out.reserveCapacity(out.count + Base64.encodedCount(png.count) + 1)
        png.withUnsafeBytes { Base64.append($0, to: &out) }
        out.append(0x07)
        return out
    }
}
