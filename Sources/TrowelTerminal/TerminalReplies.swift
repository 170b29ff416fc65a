/// What a terminal answered to the graphics queries (`GraphicsProbe.queries`), parsed from the raw
/// reply bytes; anything else in the bytes (keys typed meanwhile) is ignored.
public struct TerminalReplies: Equatable, Sendable {
    /// The kitty graphics query's answer: true for `OK`, false for an error, nil when unanswered.
    public var kittyGraphics: Bool?
    /// DA1 attributes (`CSI ? 62 ; 4 ; … c`); 4 means sixel graphics.
    public var deviceAttributes: [Int]?
    /// XTVERSION's answer (`DCS > | xterm(388) ST`), e.g. `kitty(0.26.5)`.
    public var version: String?
    /// The cell size in pixels from `CSI 16 t` (`CSI 6 ; h ; w t`).
    public var cellSize: (width: Int, height: Int)?
    /// The text area in pixels from `CSI 14 t` (`CSI 4 ; h ; w t`).
    public var windowSize: (width: Int, height: Int)?
    /// Sixel colour registers from XTSMGRAPHICS (`CSI ? 1 ; 0 ; n S`).
    public var colorRegisters: Int?

    public init() {}

    public static func == (a: TerminalReplies, b: TerminalReplies) -> Bool {
        a.kittyGraphics == b.kittyGraphics && a.deviceAttributes == b.deviceAttributes && a.version == b.version
            && a.cellSize?.width == b.cellSize?.width && a.cellSize?.height == b.cellSize?.height
            && a.windowSize?.width == b.windowSize?.width && a.windowSize?.height == b.windowSize?.height
            && a.colorRegisters == b.colorRegisters
    }

    /// True when DA1 lists sixel graphics (attribute 4).
    public var hasSixel: Bool { deviceAttributes?.contains(4) ?? false }

    /// True once the DA1 answer is in: terminals answer in order, and every terminal answers DA1,
    /// so the probe sends it last and stops waiting when it arrives.
    public var isComplete: Bool { deviceAttributes != nil }

    /// Parses every reply found in `bytes`.
    public init(parsing bytes: [UInt8]) {
        self.init()
        var i = 0
        while i < bytes.count {
            guard bytes[i] == 0x1B, i + 1 < bytes.count else {
                i += 1
                continue
            }
            let kind = bytes[i + 1]
            if kind == UInt8(ascii: "[") {
                // CSI: optional private marker, parameters, final byte.
                var j = i + 2
                var marker: UInt8 = 0
                if j < bytes.count, (0x3C...0x3F).contains(bytes[j]) {
                    marker = bytes[j]
                    j += 1
                }
                var text = ""
                while j < bytes.count, (0x30...0x3B).contains(bytes[j]) {
                    text.append(Character(Unicode.Scalar(bytes[j])))
                    j += 1
                }
                guard j < bytes.count else { break }
                let final = bytes[j]
                let numbers = text.split(separator: ";", omittingEmptySubsequences: false).map { Int($0) ?? 0 }
                csi(marker: marker, numbers: numbers, final: final)
                i = j + 1
            } else if kind == UInt8(ascii: "_") || kind == UInt8(ascii: "P") {
                // APC or DCS, up to ST (ESC \) or BEL.
                var j = i + 2
                while j < bytes.count, bytes[j] != 0x07, !(bytes[j] == 0x1B && j + 1 < bytes.count && bytes[j + 1] == UInt8(ascii: "\\")) {
                    j += 1
                }
                let body = String(decoding: bytes[(i + 2)..<min(j, bytes.count)], as: UTF8.self)
                if kind == UInt8(ascii: "_"), body.hasPrefix("G") {
                    let parts = body.dropFirst().split(separator: ";", maxSplits: 1)
                    if parts.first?.split(separator: ",").contains("i=31") ?? false {
                        kittyGraphics = parts.count == 2 && parts[1] == "OK"
                    }
                } else if kind == UInt8(ascii: "P"), body.hasPrefix(">|") {
                    version = String(body.dropFirst(2))
                }
                i = bytes[min(j, bytes.count - 1)] == 0x07 ? j + 1 : j + 2
            } else {
                i += 1
            }
        }
    }

    private mutating func csi(marker: UInt8, numbers: [Int], final: UInt8) {
        switch (marker, final) {
        case (UInt8(ascii: "?"), UInt8(ascii: "c")):
            deviceAttributes = numbers
        case (0, UInt8(ascii: "t")) where numbers.count == 3 && numbers[0] == 6:
            if numbers[1] > 0 && numbers[2] > 0 { cellSize = (numbers[2], numbers[1]) }
        case (0, UInt8(ascii: "t")) where numbers.count == 3 && numbers[0] == 4:
            if numbers[1] > 0 && numbers[2] > 0 { windowSize = (numbers[2], numbers[1]) }
        case (UInt8(ascii: "?"), UInt8(ascii: "S")) where numbers.count == 3 && numbers[0] == 1 && numbers[1] == 0:
            colorRegisters = numbers[2]
        default:
            break
        }
    }
}
