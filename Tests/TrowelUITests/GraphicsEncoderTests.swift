import Foundation
import Testing
import TrowelVolume
@testable import TrowelUI

/// The image encoders, checked by decoders written here from the protocols' documentation: the
/// bytes must turn back into the frame that was encoded.
@Suite struct GraphicsEncoderTests {
    /// A CT-like frame: a grey gradient with noise, a label-coloured disk blended at 50 %, a cursor
    /// cross; odd size so the last sixel band is partial.
    static func frame(width: Int = 53, height: Int = 37) -> PixelImage {
        var img = PixelImage(width: width, height: height)
        var seed: UInt32 = 7
        for y in 0..<height {
            for x in 0..<width {
                seed = seed &* 1_664_525 &+ 1_013_904_223
                let v = UInt8(clamping: (x * 255) / max(1, width - 1) / 2 + (y * 2) + Int(seed >> 29))
                var c = RGB(grey: v)
                let dx = x - width / 2, dy = y - height / 2
                if dx * dx + dy * dy < 64 { c = c.blended(with: RGB(230, 80, 40), amount: 0.5) }
                if x == 5 || y == 5 { c = RGB(40, 220, 255) }
                img[x, y] = c
            }
        }
        return img
    }

    @Test func kittyRoundTripsExactlyAsPNG() throws {
        let image = Self.frame()
        let bytes = try KittyEncoder().transmit(image, id: 7, columns: 6, rows: 2)
        let decoded = try KittyDecoder.decode(bytes)
        #expect(decoded.keys["a"] == "T")
        #expect(decoded.keys["f"] == "100")
        #expect(decoded.keys["o"] == nil)
        #expect(decoded.keys["i"] == "7")
        #expect(decoded.keys["c"] == "6" && decoded.keys["r"] == "2")
        #expect(decoded.keys["q"] == "2")
        #expect(decoded.image == image)
    }

    @Test func kittyRoundTripsExactlyAsZlibRGB() throws {
        let image = Self.frame()
        let bytes = try KittyEncoder(format: .rgb).transmit(image, id: 7, columns: 6, rows: 2)
        let decoded = try KittyDecoder.decode(bytes)
        #expect(decoded.keys["a"] == "T")
        #expect(decoded.keys["f"] == "24")
        #expect(decoded.keys["o"] == "z")
        #expect(decoded.keys["i"] == "7")
        #expect(decoded.keys["c"] == "6" && decoded.keys["r"] == "2")
        #expect(decoded.keys["q"] == "2")
        #expect(decoded.image == image)
    }

    @Test func kittyChunksAreAtMost4096BytesAndOnlyTheFirstCarriesTheKeys() throws {
        // Noise does not compress: many chunks.
        var image = PixelImage(width: 120, height: 90)
        var seed: UInt32 = 1
        for i in image.pixels.indices {
            seed = seed &* 1_103_515_245 &+ 12345
            image.pixels[i] = RGB(UInt8(truncatingIfNeeded: seed >> 8), UInt8(truncatingIfNeeded: seed >> 16), UInt8(truncatingIfNeeded: seed >> 24))
        }
        let bytes = try KittyEncoder(format: .rgb).transmit(image, id: 1, columns: 12, rows: 4)
        let chunks = KittyDecoder.escapes(bytes)
        #expect(chunks.count > 5)
        for (n, chunk) in chunks.enumerated() {
            #expect(chunk.payload.count <= 4096)
            #expect(chunk.keys["m"] == (n == chunks.count - 1 ? "0" : "1"))
            #expect((chunk.keys["a"] != nil) == (n == 0))
            if n < chunks.count - 1 { #expect(chunk.payload.count % 4 == 0) }
        }
        #expect(try KittyDecoder.decode(bytes).image == image)
    }

    @Test func kittyDeleteNamesTheImage() {
        #expect(String(decoding: KittyEncoder().delete(id: 12), as: UTF8.self) == "\u{1B}_Ga=d,d=I,i=12,q=2\u{1B}\\")
    }

    @Test func itermRoundTripsExactlyThroughPNG() throws {
        let image = Self.frame()
        let bytes = try ITermEncoder().encode(image, columns: 6, rows: 2)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasPrefix("\u{1B}]1337;File=inline=1;"))
        #expect(text.contains(";width=6;height=2;preserveAspectRatio=0"))
        #expect(bytes.last == 0x07)
        let colon = bytes.firstIndex(of: UInt8(ascii: ":"))!
        let png = try #require(Base64.decode(bytes[(colon + 1)..<(bytes.count - 1)]))
        let size = text.split(separator: ";").first { $0.hasPrefix("size=") }.map { Int($0.dropFirst(5))! }
        #expect(size == png.count)
        #expect(try PNGDecoder.image(png) == image)
    }

    /// A noisy `side`² slice (CT-like: a gradient plus 4 bits of noise per voxel), and the frame
    /// the viewer draws of it: upscaled ×1.13 (rows and columns repeat) between background margins.
    static func slice(side: Int = 256) -> [UInt8] {
        var seed: UInt32 = 3
        return (0..<(side * side)).map { i in
            seed = seed &* 1_664_525 &+ 1_013_904_223
            return UInt8(60 + Int(seed >> 28) + (i % side) * 64 / side)
        }
    }

    static func upscaledSlice(side: Int = 256, cursor: Bool = false) -> PixelImage {
        let voxels = slice(side: side)
        let shown = side * 113 / 100, margin = 40
        var img = PixelImage(width: shown + 2 * margin, height: shown, fill: RGB(grey: 18))
        for y in 0..<shown {
            for x in 0..<shown {
                img[margin + x, y] = RGB(grey: voxels[min(side - 1, y * 100 / 113) * side + min(side - 1, x * 100 / 113)])
            }
        }
        if cursor {
            let c = shown / 2
            for d in 3..<9 { img[margin + c + d, c] = RGB(255, 80, 200); img[margin + c, c + d] = RGB(255, 80, 200) }
        }
        return img
    }

    @Test func pngFramesTakeTheSmallestExactColourType() throws {
        let grey = Self.upscaledSlice()
        let g = try PNGFrameEncoder().encode(grey)
        #expect(g.type == .grey && PNGDecoder.colourType(g.png) == 0)
        #expect(try PNGDecoder.image(g.png) == grey)
        // A cursor in colour over ≤ 255 greys: a palette.
        let marked = Self.upscaledSlice(cursor: true)
        let p = try PNGFrameEncoder().encode(marked)
        #expect(p.type == .palette && PNGDecoder.colourType(p.png) == 3)
        #expect(try PNGDecoder.image(p.png) == marked)
        // The blended disk and 8-bit noise of `frame`, widened past 256 colours: RGB.
        var many = Self.frame(width: 120, height: 80)
        for i in many.pixels.indices { many.pixels[i].b = UInt8(truncatingIfNeeded: i) }
        let r = try PNGFrameEncoder().encode(many)
        #expect(r.type == .rgb && PNGDecoder.colourType(r.png) == 2)
        #expect(try PNGDecoder.image(r.png) == many)
    }

    @Test func pngFramesFilterRepeatedRowsToZerosAndJoinThreadsIntoOneStream() throws {
        let image = Self.upscaledSlice()
        let one = try PNGFrameEncoder(threads: 1).encode(image).png
        let three = try PNGFrameEncoder(threads: 3).encode(image).png
        #expect(try PNGDecoder.image(one) == image && PNGDecoder.image(three) == image)
        // Row y repeats row y - 1 where the ×1.13 upscaling maps both to one voxel row: filter Up, all zeros.
        let rows = try PNGDecoder.filteredRows(three)
        #expect(rows.count == image.height)
        let repeated = (1..<image.height).filter { $0 * 100 / 113 == ($0 - 1) * 100 / 113 }
        #expect(!repeated.isEmpty)
        for y in repeated { #expect(rows[y].first == 2 && rows[y].dropFirst().allSatisfy { $0 == 0 }, "row \(y)") }
        #expect(rows[1].first != 2 || repeated.contains(1))
    }

    @Test func theFrameOfAGreySliceCostsLessThanTheSlicesOwnPNG() throws {
        // The issue's bar: a slice step must not cost more than a compressed image of the slice itself.
        let side = 512
        let frame = Self.upscaledSlice(side: side, cursor: true)
        let ours = try PNGFrameEncoder().encode(frame).png
        let rgb = Self.slice(side: side).flatMap { [$0, $0, $0] }
        let itself = try rgb.withUnsafeBytes { try PNGImageCodec.encodeRGB($0, width: side, height: side, fast: false) }
        #expect(ours.count < itself.count, "frame \(ours.count) bytes, the slice's own PNG \(itself.count)")
        // The raw form kitty also reads (zlib RGB) is far bigger.
        let raw = try frame.withRGBBytes { try Zlib.compress($0, level: 1) }
        #expect(ours.count * 3 < raw.count * 2, "PNG \(ours.count) vs zlib RGB \(raw.count)")
    }

    @Test func sixelWithEnoughRegistersIsExactToPercentPrecision() throws {
        let image = Self.frame()
        let bytes = SixelEncoder(registers: 256).encode(image)
        let decoded = try SixelDecoder.decode(bytes)
        #expect(decoded.width == image.width && decoded.height == image.height)
        #expect(decoded.registers <= 256)
        var worst = 0
        for i in image.pixels.indices {
            let a = image.pixels[i], b = try #require(decoded.pixels[i], "pixel \(i) not painted")
            worst = max(worst, abs(Int(a.r) - Int(b.r)), abs(Int(a.g) - Int(b.g)), abs(Int(a.b) - Int(b.b)))
        }
        // Sixel colours are percentages: 8 bits round-trip within 2 levels. The blended disk has
        // more shades than 4-bit colour bins, so allow its bin width.
        #expect(worst <= 16)
        let greysExact = image.pixels.indices.filter { image.pixels[$0].r == image.pixels[$0].g && image.pixels[$0].g == image.pixels[$0].b }
            .allSatisfy { abs(Int(image.pixels[$0].r) - Int(decoded.pixels[$0]!.r)) <= 2 }
        #expect(greysExact)
    }

    @Test func sixelWithSixteenRegistersKeepsTheOverlayColours() throws {
        let image = Self.frame()
        let decoded = try SixelDecoder.decode(SixelEncoder(registers: 16).encode(image))
        #expect(decoded.registers <= 16)
        // The cursor cross stays its own colour; greys stay within one of 12+ spread levels.
        let cross = decoded.pixels[5 * image.width + 20]!
        #expect(abs(Int(cross.r) - 40) <= 3 && abs(Int(cross.g) - 220) <= 3 && abs(Int(cross.b) - 255) <= 3)
        var sum = 0
        for i in image.pixels.indices { sum += abs(Int(image.pixels[i].g) - Int(decoded.pixels[i]!.g)) }
        #expect(Double(sum) / Double(image.pixels.count) < 8)
    }

    @Test func sixelBandsEncodedOnSeveralThreadsJoinIntoTheSameStream() throws {
        let tall = Self.frame(width: 90, height: 301)
        let one = SixelEncoder(threads: 1).encode(tall), three = SixelEncoder(threads: 3).encode(tall)
        #expect(one == three)
        let decoded = try SixelDecoder.decode(three)
        #expect(decoded.pixels.allSatisfy { $0 != nil })
    }

    /// Pearson correlation and PSNR (dB) of the decoded sixel against the frame, on the green
    /// channel (the greys' level).
    static func fidelity(_ image: PixelImage, _ decoded: [RGB?]) -> (correlation: Double, psnr: Double) {
        var sa = 0.0, sb = 0.0, saa = 0.0, sbb = 0.0, sab = 0.0, se = 0.0
        for i in image.pixels.indices {
            let a = Double(image.pixels[i].g), b = Double(decoded[i]?.g ?? 0)
            sa += a; sb += b; saa += a * a; sbb += b * b; sab += a * b; se += (a - b) * (a - b)
        }
        let n = Double(image.pixels.count)
        let cov = sab / n - sa / n * sb / n
        let r = cov / ((saa / n - sa / n * sa / n) * (sbb / n - sb / n * sb / n)).squareRoot()
        return (r, 10 * log10(255 * 255 / max(se / n, 1e-9)))
    }

    /// A noisy CT-like slice (rings plus 4 bits of per-pixel noise, every grey level used) as
    /// the benchmark's pattern scan draws it.
    static func ctFrame(width: Int, height: Int) -> PixelImage {
        var img = PixelImage(width: width, height: height)
        for y in 0..<height {
            for x in 0..<width {
                let dx = Double(x - width / 2), dy = Double(y - height / 2)
                var h = UInt32(truncatingIfNeeded: x &* 73_856_093 ^ y &* 19_349_663)
                h = (h ^ (h >> 13)) &* 0x5BD1_E995
                img[x, y] = RGB(grey: UInt8(min(255, (Int((dx * dx + dy * dy).squareRoot()) & 63) * 3 + Int(h >> 28) * 4)))
            }
        }
        return img
    }

    @Test func sixelOfANoisySliceKeepsItsGreysFaithful() throws {
        let image = Self.ctFrame(width: 240, height: 130)
        let decoded = try SixelDecoder.decode(SixelEncoder(registers: 256).encode(image))
        #expect(decoded.pixels.allSatisfy { $0 != nil })
        let f = Self.fidelity(image, decoded.pixels)
        // Percent registers hold 8-bit greys within 1.3 levels: ~45 dB, correlation 0.9999+.
        #expect(f.correlation > 0.9999 && f.psnr > 44, "correlation \(f.correlation), PSNR \(f.psnr) dB")
    }

    @Test func aColourIsDrawnOnlyOverItsSpanWithinABand() throws {
        // Grey everywhere, one red mark in columns 300…303 of the first band: its pass skips to
        // column 300 (`!300?`) and stops after 303, and the band ends there.
        var image = PixelImage(width: 400, height: 6, fill: RGB(grey: 100))
        for x in 300...303 { image[x, 2] = RGB(200, 30, 30) }
        let bytes = SixelEncoder(registers: 16).encode(image)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains("!300?"), "\(text)")
        #expect(bytes.count < 80, "\(bytes.count) bytes: \(text)")
        let decoded = try SixelDecoder.decode(bytes)
        #expect(decoded.pixels[2 * 400 + 301] == SixelPalette(fitting: image, registers: 16).color(1))
        #expect(decoded.pixels[2 * 400 + 299].map { abs(Int($0.g) - 100) <= 2 } == true)
    }

    @Test func theChangedCellsAsAnImageAtTheirFirstCellRebuildTheNewFrame() throws {
        // 10×20-pixel cells; the cursor cross moves 3 pixels right, inside one cell row band.
        func pane(cursorAt cx: Int) -> PaneImage {
            var img = Self.ctFrame(width: 300, height: 180)
            for d in -6...6 { img[cx + d, 97] = RGB(255, 80, 200); img[cx, 97 + d] = RGB(255, 80, 200) }
            return PaneImage(pane: 0, column: 4, row: 2, columns: 30, rows: 9, image: img)
        }
        let a = pane(cursorAt: 118), b = pane(cursorAt: 121)
        let cells = try #require(b.changedCells(from: a))
        // Columns 112…127 and rows 91…103 changed: cells 11…12 across, rows 4…5 down.
        #expect(cells.column == 11 && cells.columns == 2 && cells.row == 4 && cells.rows == 2, "\(cells)")
        let patch = b.image.cropped(x: cells.column * 10, y: cells.row * 20, width: cells.columns * 10, height: cells.rows * 20)
        #expect(patch.height % 6 != 0, "the partial image ends inside a band")
        let encoder = SixelEncoder(registers: 256)
        let full = encoder.encode(a.image), partial = encoder.encode(patch)
        #expect(partial.count * 20 < full.count, "patch \(partial.count) bytes, frame \(full.count)")
        let shown = try SixelDecoder.decode(full)
        let after = try SixelDecoder.decode(partial, onto: (a.image.width, shown.pixels, (cells.column * 10, cells.row * 20)))
        #expect(after.outside == 0, "the partial image painted \(after.outside) pixels below its last row")
        let expected = try SixelDecoder.decode(encoder.encode(b.image))
        var worst = 0
        for i in b.image.pixels.indices {
            let p = try #require(after.pixels[i]), q = try #require(expected.pixels[i])
            worst = max(worst, abs(Int(p.r) - Int(q.r)), abs(Int(p.g) - Int(q.g)), abs(Int(p.b) - Int(q.b)))
        }
        #expect(worst <= 2, "the patched screen differs from the new frame by \(worst)")
        #expect(b.changedCells(from: b) == nil)
    }

    @Test func sixelRunLengthEncodesFlatAreas() throws {
        let flat = PixelImage(width: 400, height: 12, fill: RGB(grey: 128))
        let bytes = SixelEncoder().encode(flat)
        #expect(bytes.count < 100)
        let decoded = try SixelDecoder.decode(bytes)
        #expect(decoded.pixels.allSatisfy { $0 == RGB(grey: 128) })
    }
}

/// Reads PNG back: pixels through libpng (an independent decoder), and the colour type and the
/// filtered rows from the chunks themselves.
enum PNGDecoder {
    struct DecodeError: Error, CustomStringConvertible {
        var description: String
    }

    static func image(_ png: [UInt8]) throws -> PixelImage {
        let decoded = try PNGImageCodec.decodeRGB(png)
        var img = PixelImage(width: decoded.width, height: decoded.height)
        for i in img.pixels.indices { img.pixels[i] = RGB(decoded.rgb[3 * i], decoded.rgb[3 * i + 1], decoded.rgb[3 * i + 2]) }
        return img
    }

    /// The IHDR colour type (0 grey, 2 RGB, 3 palette).
    static func colourType(_ png: [UInt8]) -> UInt8 { png[25] }

    /// The decompressed IDAT data cut into rows, each starting with its filter byte.
    static func filteredRows(_ png: [UInt8]) throws -> [[UInt8]] {
        func u32(_ i: Int) -> Int { Int(png[i]) << 24 | Int(png[i + 1]) << 16 | Int(png[i + 2]) << 8 | Int(png[i + 3]) }
        let width = u32(16), height = u32(20)
        let bpp = colourType(png) == 2 ? 3 : 1
        var idat: [UInt8] = [], i = 8
        while i + 8 <= png.count {
            let length = u32(i), type = String(decoding: png[(i + 4)..<(i + 8)], as: UTF8.self)
            if type == "IDAT" { idat += png[(i + 8)..<(i + 8 + length)] }
            i += 12 + length
        }
        let raw = try Zlib.decompress(idat)
        let stride = width * bpp + 1
        guard raw.count == stride * height else { throw DecodeError(description: "\(raw.count) bytes for \(height) rows of \(stride)") }
        return (0..<height).map { Array(raw[($0 * stride)..<(($0 + 1) * stride)]) }
    }
}

/// Reads kitty graphics escapes (`ESC _G keys;payload ESC \`) back into the image they carry.
enum KittyDecoder {
    struct Escape {
        var keys: [String: String]
        var payload: [UInt8]
    }

    struct DecodeError: Error, CustomStringConvertible {
        var description: String
    }

    static func escapes(_ bytes: [UInt8]) -> [Escape] {
        var out: [Escape] = []
        var i = 0
        while i + 2 < bytes.count {
            guard bytes[i] == 0x1B, bytes[i + 1] == UInt8(ascii: "_"), bytes[i + 2] == UInt8(ascii: "G") else {
                i += 1
                continue
            }
            var end = i + 3
            while end + 1 < bytes.count && !(bytes[end] == 0x1B && bytes[end + 1] == UInt8(ascii: "\\")) { end += 1 }
            let body = Array(bytes[(i + 3)..<end])
            let semicolon = body.firstIndex(of: UInt8(ascii: ";")) ?? body.count
            var keys: [String: String] = [:]
            for pair in String(decoding: body[..<semicolon], as: UTF8.self).split(separator: ",") {
                let kv = pair.split(separator: "=", maxSplits: 1)
                if kv.count == 2 { keys[String(kv[0])] = String(kv[1]) }
            }
            out.append(Escape(keys: keys, payload: semicolon < body.count ? Array(body[(semicolon + 1)...]) : []))
            i = end + 2
        }
        return out
    }

    static func decode(_ bytes: [UInt8]) throws -> (keys: [String: String], image: PixelImage) {
        let all = escapes(bytes)
        if let first = all.first, first.keys["f"] == "100" {
            // PNG, read by libpng (any colour type, as kitty reads it).
            guard let data = Base64.decode(all.flatMap(\.payload)) else { throw DecodeError(description: "bad base64") }
            return (first.keys, try PNGDecoder.image(data))
        }
        guard let first = all.first, let w = first.keys["s"].flatMap(Int.init), let h = first.keys["v"].flatMap(Int.init) else {
            throw DecodeError(description: "no kitty transmission with s= and v=")
        }
        guard let data = Base64.decode(all.flatMap(\.payload)) else { throw DecodeError(description: "bad base64") }
        let raw = first.keys["o"] == "z" ? try Zlib.decompress(data) : data
        guard raw.count == w * h * 3 else { throw DecodeError(description: "\(raw.count) bytes for \(w)×\(h)") }
        var img = PixelImage(width: w, height: h)
        for i in 0..<(w * h) { img.pixels[i] = RGB(raw[3 * i], raw[3 * i + 1], raw[3 * i + 2]) }
        return (first.keys, img)
    }
}

/// Paints a sixel DCS sequence into pixels the way a VT340 does: `#n;2;r;g;b` defines a register
/// in percent, `#n` selects it, `?`…`~` paint six rows, `!n` repeats, `$` returns to the band's
/// start, `-` moves to the next band. Unpainted pixels stay nil.
enum SixelDecoder {
    struct DecodeError: Error, CustomStringConvertible {
        var description: String
    }

    static func decode(_ bytes: [UInt8]) throws -> (width: Int, height: Int, registers: Int, pixels: [RGB?]) {
        let d = try decode(bytes, onto: nil)
        guard d.outside == 0 else { throw DecodeError(description: "\(d.outside) pixels painted outside the \(d.width)×\(d.height) raster") }
        return (d.width, d.height, d.registers, d.pixels)
    }

    /// Paints `bytes` onto `canvas` (`canvas.width` wide) with the image's top-left pixel at
    /// `at`, as a terminal draws an image at the cursor over the one already there; also counts
    /// the set sixel bits that fall outside the raster size (a partial image must not paint the
    /// rows below it).
    static func decode(_ bytes: [UInt8], onto canvas: (width: Int, pixels: [RGB?], at: (x: Int, y: Int))?) throws
        -> (width: Int, height: Int, registers: Int, pixels: [RGB?], outside: Int) {
        guard bytes.count > 4, bytes[0] == 0x1B, bytes[1] == UInt8(ascii: "P"),
              let q = bytes.firstIndex(of: UInt8(ascii: "q")) else { throw DecodeError(description: "not a sixel DCS") }
        var i = q + 1
        func number() -> Int {
            var n = 0
            while i < bytes.count, bytes[i] >= 48, bytes[i] <= 57 {
                n = n * 10 + Int(bytes[i] - 48)
                i += 1
            }
            return n
        }
        func numbers() -> [Int] {
            var out = [number()]
            while i < bytes.count, bytes[i] == UInt8(ascii: ";") {
                i += 1
                out.append(number())
            }
            return out
        }
        var width = 0, height = 0
        if i < bytes.count, bytes[i] == UInt8(ascii: "\"") {
            i += 1
            let raster = numbers()
            guard raster.count == 4 else { throw DecodeError(description: "raster attributes \(raster)") }
            width = raster[2]
            height = raster[3]
        }
        var pixels = canvas?.pixels ?? [RGB?](repeating: nil, count: width * height)
        let stride = canvas?.width ?? width, origin: (x: Int, y: Int) = canvas?.at ?? (0, 0)
        var outside = 0
        var registers: [Int: RGB] = [:]
        var colour = RGB.black
        var x = 0, band = 0
        func level(_ p: Int) -> UInt8 { UInt8((p * 255 + 50) / 100) }
        func paint(_ sixel: UInt8, count: Int) {
            let bits = Int(sixel) - 63
            for _ in 0..<count {
                for k in 0..<6 where bits & (1 << k) != 0 {
                    let y = band * 6 + k
                    if x < width && y < height {
                        pixels[(origin.y + y) * stride + origin.x + x] = colour
                    } else {
                        outside += 1
                    }
                }
                x += 1
            }
        }
        while i < bytes.count {
            let c = bytes[i]
            if c == 0x1B { break }
            switch c {
            case UInt8(ascii: "#"):
                i += 1
                let args = numbers()
                if args.count == 5 {
                    guard args[1] == 2 else { throw DecodeError(description: "colour space \(args[1])") }
                    registers[args[0]] = RGB(level(args[2]), level(args[3]), level(args[4]))
                } else {
                    guard let r = registers[args[0]] else { throw DecodeError(description: "register \(args[0]) used before defined") }
                    colour = r
                }
                continue
            case UInt8(ascii: "$"):
                x = 0
            case UInt8(ascii: "-"):
                x = 0
                band += 1
            case UInt8(ascii: "!"):
                i += 1
                let n = number()
                paint(bytes[i], count: n)
            case 63...126:
                paint(c, count: 1)
            default:
                throw DecodeError(description: "unexpected byte \(c) at \(i)")
            }
            i += 1
        }
        return (width, height, registers.count, pixels, outside)
    }
}

/// The parallel zlib stream kitty frames use is one valid stream, whatever the number of pieces.
@Suite struct ParallelZlibTests {
    @Test(arguments: [1, 2, 3, 7])
    func piecesJoinIntoOneStreamThatInflatesBack(pieces: Int) throws {
        var bytes = [UInt8](repeating: 0, count: 600_001)
        var seed: UInt32 = 3
        for i in bytes.indices {
            seed = seed &* 1_664_525 &+ 1_013_904_223
            bytes[i] = i % 7 == 0 ? UInt8(truncatingIfNeeded: seed >> 24) : UInt8(i / 5000)
        }
        let z = try bytes.withUnsafeBytes { try Zlib.compressInParallel($0, level: 1, pieces: pieces) }
        #expect(try Zlib.decompress(z) == bytes)
        #expect(z.count < bytes.count / 2)
    }
}
