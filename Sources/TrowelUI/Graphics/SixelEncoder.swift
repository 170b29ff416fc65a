import Foundation

/// Frames as DEC sixel graphics: a palette fitted to the frame (`SixelPalette`), then bands of six
/// pixel rows, one pass per colour used in the band over just the columns it covers, run-length
/// encoded (`!n`). 1:1 pixel aspect with the exact size in the raster attributes.
public struct SixelEncoder: Sendable {
    /// Colour registers the terminal has (xterm: 1024, or 16 as a VT340 unless configured; XTSMGRAPHICS tells).
    public var registers: Int
    /// Threads that encode groups of bands at once.
    public var threads: Int

    public init(registers: Int = 256, threads: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.registers = registers
        self.threads = max(1, threads)
    }

    /// The DCS sequence that draws `image` with its top-left corner at the cursor.
    public func encode(_ image: PixelImage) -> [UInt8] {
        let width = image.width, height = image.height
        var palette = SixelPalette(fitting: image, registers: registers)
        var out: [UInt8] = []
        out.reserveCapacity(width * height / 2)
        out += Array("\u{1B}P9;1;0q\"1;1;\(width);\(height)".utf8)
        for (i, p) in palette.percents.enumerated() {
            out += Array("#\(i);2;\(p.r);\(p.g);\(p.b)".utf8)
        }
        guard width > 0, height > 0 else {
            out += [0x1B, UInt8(ascii: "\\")]
            return out
        }
        // Register per pixel.
        var index = [UInt16](repeating: 0, count: width * height)
        image.pixels.withUnsafeBufferPointer { px in
            index.withUnsafeMutableBufferPointer { ix in
                var last = RGB(0, 0, 1), lastIndex: UInt16 = 0
                for i in 0..<px.count {
                    let c = px[i]
                    if c != last {
                        last = c
                        lastIndex = UInt16(palette.register(for: c))
                    }
                    ix[i] = lastIndex
                }
            }
        }
        let colours = palette.percents.count
        // Groups of bands encode on separate threads into pieces joined in order.
        let bands = (height + 5) / 6
        let groups = max(1, min(threads, bands / 8))
        let pieces = SixelPieces(count: groups)
        let indices = index
        DispatchQueue.concurrentPerform(iterations: groups) { g in
            let first = g * bands / groups, last = (g + 1) * bands / groups
            var piece: [UInt8] = []
            piece.reserveCapacity(width * (last - first) * 3)
            indices.withUnsafeBufferPointer { ix in
                Self.encodeBands(first..<last, of: ix, width: width, height: height, colours: colours, into: &piece)
            }
            pieces.store(g, piece)
        }
        for piece in pieces.pieces { out += piece }
        out += [0x1B, UInt8(ascii: "\\")]
        return out
    }

    /// Encodes bands `bands` (six pixel rows each) of the register image `ix`.
    ///
    /// Colours are drawn most frequent first, and a later colour paints over an earlier one, so a
    /// colour may also set the bits of pixels whose own colour comes later: within a run of
    /// columns one sixel character serves as long as it covers the colour's pixels there and
    /// spares those already painted. Runs get longer and gaps disappear (6 % fewer bytes on a
    /// noisy CT slice than drawing each colour's pixels alone).
    static func encodeBands(_ bands: Range<Int>, of ix: UnsafeBufferPointer<UInt16>, width: Int, height: Int, colours: Int,
                            into out: inout [UInt8]) {
        var bits = [UInt8](repeating: 0, count: colours * width)
        var painted = [UInt8](repeating: 0, count: width)
        var low = [Int](repeating: Int.max, count: colours), high = [Int](repeating: -1, count: colours)
        var counts = [Int](repeating: 0, count: colours)
        var used: [Int] = []
        used.reserveCapacity(colours)
        bits.withUnsafeMutableBufferPointer { bt in
            painted.withUnsafeMutableBufferPointer { done in
                for band in bands {
                    let top = band * 6
                    used.removeAll(keepingCapacity: true)
                    for k in 0..<min(6, height - top) {
                        let row = (top + k) * width
                        let bit = UInt8(1 << k)
                        for x in 0..<width {
                            let c = Int(ix[row + x])
                            if high[c] < 0 { used.append(c) }
                            if x < low[c] { low[c] = x }
                            if x > high[c] { high[c] = x }
                            counts[c] += 1
                            bt[c * width + x] |= bit
                        }
                    }
                    // Most pixels first (ties: the register order, so the stream is deterministic).
                    used.sort { counts[$0] != counts[$1] ? counts[$0] > counts[$1] : $0 < $1 }
                    for x in 0..<width { done[x] = 0 }
                    for (n, c) in used.enumerated() {
                        out += Array("#\(c)".utf8)
                        if low[c] > 0 { run(63, count: low[c], into: &out) }
                        let base = c * width
                        var x = low[c]
                        var must = bt[base + x], spare = done[x], length = 1
                        x += 1
                        while x <= high[c] {
                            let m = bt[base + x], f = done[x]
                            if (must | m) & (spare | f) == 0 {
                                must |= m
                                spare |= f
                                length += 1
                            } else {
                                run(63 + must, count: length, into: &out)
                                must = m
                                spare = f
                                length = 1
                            }
                            x += 1
                        }
                        run(63 + must, count: length, into: &out)
                        for x in low[c]...high[c] {
                            done[x] |= bt[base + x]
                            bt[base + x] = 0
                        }
                        low[c] = Int.max
                        high[c] = -1
                        counts[c] = 0
                        out.append(n == used.count - 1 ? UInt8(ascii: "-") : UInt8(ascii: "$"))
                    }
                }
            }
        }
    }

    /// `count` copies of sixel `character`: repeated when short, `!count` followed by it otherwise.
    @inline(__always)
    static func run(_ character: UInt8, count: Int, into out: inout [UInt8]) {
        if count > 3 {
            out.append(UInt8(ascii: "!"))
            out += Array(String(count).utf8)
            out.append(character)
        } else {
            for _ in 0..<count { out.append(character) }
        }
    }
}

/// The encoded band groups of one sixel frame, filled from several threads.
private final class SixelPieces: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var pieces: [[UInt8]]

    init(count: Int) { pieces = Array(repeating: [], count: count) }

    func store(_ i: Int, _ bytes: [UInt8]) {
        lock.lock()
        pieces[i] = bytes
        lock.unlock()
    }
}
