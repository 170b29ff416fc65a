import Foundation
import TrowelVolume

/// Frames as PNG, written here rather than by libpng so they are small and fast for a terminal:
/// a frame of greys is sent as 8-bit grey (a third of RGB's bytes before compression), one of at
/// most 256 colours as a palette, anything else as RGB. Each row is filtered the way that suits
/// a screen image: a row equal to the one above (an upscaled slice repeats rows) becomes zeros
/// with `Up`; other rows take `None` or `Sub`, whichever has the smaller sum of magnitudes (the
/// PNG book's heuristic). Row groups are filtered and deflated on several threads into one zlib
/// stream (`Zlib.piece`). kitty (`f=100`) and iTerm2 draw these.
public struct PNGFrameEncoder: Sendable {
    public enum ColourType: UInt8, Sendable {
        case grey = 0, rgb = 2, palette = 3

        var bytesPerPixel: Int { self == .rgb ? 3 : 1 }
    }

    public var level: Int
    public var strategy: Zlib.Strategy
    public var threads: Int

    public init(level: Int = 1, strategy: Zlib.Strategy = .rle, threads: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.level = level
        self.strategy = strategy
        self.threads = max(1, threads)
    }

    /// The PNG of `image`, and the colour type chosen.
    public func encode(_ image: PixelImage) throws(ZlibError) -> (png: [UInt8], type: ColourType) {
        let width = image.width, height = image.height
        guard width > 0, height > 0 else { throw ZlibError(message: "cannot encode an empty \(width)×\(height) PNG") }
        let (type, samples, palette) = Self.samples(of: image)
        let bpp = type.bytesPerPixel, stride = width * bpp
        // Row groups, each filtered and deflated by one thread.
        let groups = max(1, min(threads, height / 16, samples.count / 65536 + 1))
        let pieces = PNGPieces(count: groups)
        let level = self.level, strategy = self.strategy
        samples.withUnsafeBufferPointer { source in
            nonisolated(unsafe) let rows = source
            DispatchQueue.concurrentPerform(iterations: groups) { g in
                let first = g * height / groups, last = (g + 1) * height / groups
                var filtered = [UInt8](repeating: 0, count: (last - first) * (stride + 1))
                filtered.withUnsafeMutableBufferPointer { out in
                    for y in first..<last {
                        Self.filterRow(rows, y: y, stride: stride, bpp: bpp, into: out.baseAddress! + (y - first) * (stride + 1))
                    }
                }
                let piece = filtered.withUnsafeBytes { Zlib.piece($0, level: level, strategy: strategy, last: g == groups - 1) }
                pieces.store(g, piece)
            }
        }
        var compressed: [Zlib.Piece] = []
        for g in 0..<groups {
            guard let piece = pieces.pieces[g] else { throw ZlibError(message: "zlib compression of a PNG frame failed") }
            compressed.append(piece)
        }
        let idat = Zlib.stream(joining: compressed)
        var out: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        out.reserveCapacity(idat.count + palette.count * 3 + 64)
        var header: [UInt8] = []
        Self.appendUInt32(UInt32(width), to: &header)
        Self.appendUInt32(UInt32(height), to: &header)
        header += [8, type.rawValue, 0, 0, 0]   // 8 bits, deflate, adaptive filtering, no interlace
        Self.appendChunk("IHDR", header, to: &out)
        if type == .palette { Self.appendChunk("PLTE", palette.flatMap { [$0.r, $0.g, $0.b] }, to: &out) }
        Self.appendChunk("IDAT", idat, to: &out)
        Self.appendChunk("IEND", [], to: &out)
        return (out, type)
    }

    /// The frame's samples in the smallest colour type that holds it exactly, and the palette.
    static func samples(of image: PixelImage) -> (ColourType, [UInt8], [RGB]) {
        let n = image.pixels.count
        return image.pixels.withUnsafeBufferPointer { px -> (ColourType, [UInt8], [RGB]) in
            var allGrey = true
            for p in px where p.r != p.g || p.g != p.b {
                allGrey = false
                break
            }
            if allGrey {
                return (.grey, [UInt8](unsafeUninitializedCapacity: n) { out, count in
                    for i in 0..<n { out[i] = px[i].r }
                    count = n
                }, [])
            }
            // A palette: greys by level (the index is a lookup), other colours in a small open-addressed table.
            var greyUsed = [Bool](repeating: false, count: 256)
            var keys = [UInt32](repeating: UInt32.max, count: 1024)
            var colours: [RGB] = []
            var fits = true
            var last = RGB(0, 0, 1), lastKnown = false
            for p in px {
                if p.r == p.g && p.g == p.b {
                    greyUsed[Int(p.r)] = true
                    continue
                }
                if lastKnown && p == last { continue }
                let key = UInt32(p.r) << 16 | UInt32(p.g) << 8 | UInt32(p.b)
                var h = Int((key &* 2_654_435_761) >> 22)
                while keys[h] != UInt32.max && keys[h] != key { h = (h + 1) & 1023 }
                if keys[h] == UInt32.max {
                    keys[h] = key
                    colours.append(p)
                    if colours.count > 256 {
                        fits = false
                        break
                    }
                }
                last = p
                lastKnown = true
            }
            let greys = (0..<256).filter { greyUsed[$0] }
            if fits && greys.count + colours.count <= 256 {
                var greyIndex = [UInt8](repeating: 0, count: 256)
                for (i, g) in greys.enumerated() { greyIndex[g] = UInt8(i) }
                var colourIndex = [UInt8](repeating: 0, count: 1024)
                for (i, c) in colours.enumerated() {
                    let key = UInt32(c.r) << 16 | UInt32(c.g) << 8 | UInt32(c.b)
                    var h = Int((key &* 2_654_435_761) >> 22)
                    while keys[h] != key { h = (h + 1) & 1023 }
                    colourIndex[h] = UInt8(greys.count + i)
                }
                let palette = greys.map { RGB(grey: UInt8($0)) } + colours
                let samples = [UInt8](unsafeUninitializedCapacity: n) { out, count in
                    for i in 0..<n {
                        let p = px[i]
                        if p.r == p.g && p.g == p.b {
                            out[i] = greyIndex[Int(p.r)]
                        } else {
                            let key = UInt32(p.r) << 16 | UInt32(p.g) << 8 | UInt32(p.b)
                            var h = Int((key &* 2_654_435_761) >> 22)
                            while keys[h] != key { h = (h + 1) & 1023 }
                            out[i] = colourIndex[h]
                        }
                    }
                    count = n
                }
                return (.palette, samples, palette)
            }
            let rgb = image.withRGBBytes { Array($0) }
            return (.rgb, rgb, [])
        }
    }

    /// Writes row `y` of `rows` (`stride` bytes each) filtered, its filter byte first, to `out`.
    @inline(__always)
    static func filterRow(_ rows: UnsafeBufferPointer<UInt8>, y: Int, stride: Int, bpp: Int, into out: UnsafeMutablePointer<UInt8>) {
        let row = rows.baseAddress! + y * stride
        if y > 0, memcmp(row, row - stride, stride) == 0 {
            out[0] = 2   // Up: all zeros
            (out + 1).update(repeating: 0, count: stride)
            return
        }
        // Sum of magnitudes (bytes read as signed) for None and Sub.
        var none = 0, sub = 0
        for i in 0..<stride {
            let v = row[i], d = i >= bpp ? v &- row[i - bpp] : v
            none += Int(Int8(bitPattern: v).magnitude)
            sub += Int(Int8(bitPattern: d).magnitude)
        }
        if sub < none {
            out[0] = 1
            for i in 0..<min(bpp, stride) { out[1 + i] = row[i] }
            if stride > bpp {
                for i in bpp..<stride { out[1 + i] = row[i] &- row[i - bpp] }
            }
        } else {
            out[0] = 0
            (out + 1).update(from: row, count: stride)
        }
    }

    static func appendUInt32(_ v: UInt32, to out: inout [UInt8]) {
        out += [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)]
    }

    static func appendChunk(_ type: String, _ data: [UInt8], to out: inout [UInt8]) {
        appendUInt32(UInt32(data.count), to: &out)
        let typeBytes = Array(type.utf8)
        out += typeBytes
        out += data
        var crc = typeBytes.withUnsafeBytes { Zlib.crc32($0) }
        crc = data.withUnsafeBytes { Zlib.crc32($0, continuing: crc) }
        appendUInt32(crc, to: &out)
    }
}

/// The compressed row groups of one PNG frame, filled from several threads.
private final class PNGPieces: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var pieces: [Zlib.Piece?]

    init(count: Int) { pieces = Array(repeating: nil, count: count) }

    func store(_ i: Int, _ piece: Zlib.Piece?) {
        lock.lock()
        pieces[i] = piece
        lock.unlock()
    }
}
