import Foundation

/// Frames as DEC sixel graphics: a palette fitted to the frame (`SixelPalette`), then bands of six
/// pixel rows, one pass per colour used in the band over just the columns it covers (its span:
/// first to last column that uses it, reached with `!n?` and left with `$` or `-`), run-length
/// encoded (`!n`). 1:1 pixel aspect with the exact size in the raster attributes; pixels left
/// clear stay as they were (P2 = 1), so an image whose height is not a multiple of six paints
/// just its own rows.
///
/// The hot path runs on raw buffers: pixels are quantised through the palette's lookup tables
/// as each band is read, and each thread writes its bands into a preallocated byte buffer of its
/// own (no per-byte array appends, no strings), the pieces joined in band order.
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
        let palette = SixelPalette(fitting: image, registers: registers, threads: threads)
        var head = SixelBytes(capacity: 64 + 20 * palette.percents.count)
        head.append("\u{1B}P9;1;0q\"1;1;")
        head.number(width)
        head.byte(UInt8(ascii: ";"))
        head.number(height)
        for (i, p) in palette.percents.enumerated() {
            head.byte(UInt8(ascii: "#"))
            head.number(i)
            head.append(";2;")
            head.number(Int(p.r))
            head.byte(UInt8(ascii: ";"))
            head.number(Int(p.g))
            head.byte(UInt8(ascii: ";"))
            head.number(Int(p.b))
        }
        guard width > 0, height > 0 else {
            head.append("\u{1B}\\")
            return head.array()
        }
        let colours = palette.percents.count
        // Groups of bands encode on separate threads into pieces joined in order. More groups
        // than threads even out bands that cost more (busy overlays) without a second pass.
        let bands = (height + 5) / 6
        let groups = threads == 1 ? 1 : max(1, min(threads * 4, bands / 8))
        let pieces = SixelPieces(count: groups)
        image.withRGBBytes { raw in
            palette.greyTable.withUnsafeBufferPointer { greys in
                palette.colourTable.withUnsafeBufferPointer { table in
                    guard let px = raw.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
                    let shared = SixelShared((px, greys.baseAddress!, table.baseAddress!))
                    let work: @Sendable (Int) -> Void = { g in
                        let (px, greys, table) = shared.value
                        let first = g * bands / groups, last = (g + 1) * bands / groups
                        var band = SixelBandEncoder(width: width, colours: colours)
                        var out = SixelBytes(capacity: width * (last - first) * 12 + 1024)
                        for b in first..<last {
                            band.encode(band: b, last: b == bands - 1, pixels: px, height: height, greys: greys, colours: table, into: &out)
                        }
                        band.deallocate()
                        pieces.store(g, out)
                    }
                    if groups == 1 {
                        work(0)
                    } else {
                        DispatchQueue.concurrentPerform(iterations: groups, execute: work)
                    }
                }
            }
        }
        let total = head.count + pieces.pieces.reduce(0) { $0 + $1.count } + 2
        return [UInt8](unsafeUninitializedCapacity: total) { buffer, initialized in
            var at = buffer.baseAddress!
            for piece in [head] + pieces.pieces {
                at.update(from: piece.base, count: piece.count)
                at += piece.count
                piece.deallocate()
            }
            at[0] = 0x1B
            at[1] = UInt8(ascii: "\\")
            initialized = total
        }
    }
}

/// Bytes written through a pointer into a buffer that grows by doubling (checked once per
/// colour pass, not per byte).
struct SixelBytes {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int) {
        self.capacity = max(64, capacity)
        base = .allocate(capacity: self.capacity)
    }

    /// Room for `n` more bytes.
    @inline(__always)
    mutating func reserve(_ n: Int) {
        guard count + n > capacity else { return }
        let bigger = max(capacity * 2, count + n)
        let moved = UnsafeMutablePointer<UInt8>.allocate(capacity: bigger)
        moved.update(from: base, count: count)
        base.deallocate()
        base = moved
        capacity = bigger
    }

    @inline(__always)
    mutating func byte(_ b: UInt8) {
        reserve(1)
        base[count] = b
        count += 1
    }

    mutating func append(_ s: StaticString) {
        reserve(s.utf8CodeUnitCount)
        s.withUTF8Buffer { for b in $0 { base[count] = b; count += 1 } }
    }

    /// `n` ≥ 0 in decimal; the caller has reserved room (at most 19 digits).
    @inline(__always)
    mutating func unreservedNumber(_ n: Int) {
        if n < 10 {
            base[count] = 48 + UInt8(n)
            count += 1
            return
        }
        var digits = 0, m = n
        while m > 0 { digits += 1; m /= 10 }
        m = n
        for i in stride(from: digits - 1, through: 0, by: -1) {
            base[count + i] = 48 + UInt8(m % 10)
            m /= 10
        }
        count += digits
    }

    mutating func number(_ n: Int) {
        reserve(20)
        unreservedNumber(n)
    }

    /// `length` copies of sixel `character`: repeated when short, `!length` followed by it
    /// otherwise (room reserved by the caller: at most 3 + digits bytes).
    @inline(__always)
    mutating func unreservedRun(_ character: UInt8, _ length: Int) {
        if length > 3 {
            base[count] = UInt8(ascii: "!")
            count += 1
            unreservedNumber(length)
            base[count] = character
            count += 1
        } else {
            for _ in 0..<length {
                base[count] = character
                count += 1
            }
        }
    }

    func array() -> [UInt8] {
        let a = Array(UnsafeBufferPointer(start: base, count: count))
        deallocate()
        return a
    }

    func deallocate() { base.deallocate() }
}

/// The scratch of one thread: encodes bands of six pixel rows one after another.
///
/// Colours are drawn most frequent first, and a later colour paints over an earlier one, so a
/// colour may also set the bits of pixels whose own colour comes later: within a run of
/// columns one sixel character serves as long as it covers the colour's pixels there and
/// spares those already painted. Runs get longer and gaps disappear (6 % fewer bytes on a
/// noisy CT slice than drawing each colour's pixels alone).
struct SixelBandEncoder {
    let width: Int
    let colours: Int
    /// Six bits per column per colour of the band (colour-major), zero outside the band's use.
    private let bits: UnsafeMutablePointer<UInt8>
    /// Bits of each column already painted by an earlier colour of the band.
    private let done: UnsafeMutablePointer<UInt8>
    private let low: UnsafeMutablePointer<Int32>
    private let high: UnsafeMutablePointer<Int32>
    private let counts: UnsafeMutablePointer<Int32>
    private let used: UnsafeMutablePointer<Int32>
    /// Registers of one pixel row.
    private let row: UnsafeMutablePointer<UInt16>

    init(width: Int, colours: Int) {
        self.width = width
        self.colours = colours
        // Eight spare bytes after the last colour so the word-wise scan may read past a span.
        bits = .allocate(capacity: colours * width + 8)
        bits.initialize(repeating: 0, count: colours * width + 8)
        done = .allocate(capacity: width + 8)
        done.initialize(repeating: 0, count: width + 8)
        low = .allocate(capacity: colours)
        low.initialize(repeating: Int32.max, count: colours)
        high = .allocate(capacity: colours)
        high.initialize(repeating: -1, count: colours)
        counts = .allocate(capacity: colours)
        counts.initialize(repeating: 0, count: colours)
        used = .allocate(capacity: colours)
        row = .allocate(capacity: width)
    }

    func deallocate() {
        bits.deallocate()
        done.deallocate()
        low.deallocate()
        high.deallocate()
        counts.deallocate()
        used.deallocate()
        row.deallocate()
    }

    /// Appends band `band` of the RGB image `pixels` (`width` × `height`, 3 bytes a pixel),
    /// each pixel's register read from the palette's tables, to `out`, ending with `-` unless it
    /// is the `last` band (a `-` there would move the cursor below the image, and may scroll).
    mutating func encode(band: Int, last: Bool, pixels: UnsafePointer<UInt8>, height: Int, greys: UnsafePointer<UInt16>,
                         colours table: UnsafePointer<UInt16>, into out: inout SixelBytes) {
        let top = band * 6
        var usedCount = 0
        for k in 0..<min(6, height - top) {
            var p = pixels + 3 * (top + k) * width
            for x in 0..<width {
                row[x] = SixelPalette.register(r: p[0], g: p[1], b: p[2], greys: greys, colours: table)
                p += 3
            }
            let bit = UInt8(1 << k)
            // Runs of one register (flat areas, duplicated columns) update the span and count once.
            var x = 0
            while x < width {
                let c = Int(row[x])
                var end = x + 1
                while end < width && Int(row[end]) == c { end += 1 }
                if high[c] < 0 {
                    used[usedCount] = Int32(c)
                    usedCount += 1
                }
                if x < low[c] { low[c] = Int32(x) }
                if end - 1 > high[c] { high[c] = Int32(end - 1) }
                counts[c] += Int32(end - x)
                let b = bits + c * width
                for i in x..<end { b[i] |= bit }
                x = end
            }
        }
        // Most pixels first (ties: the register order, so the stream is deterministic).
        var order = UnsafeMutableBufferPointer(start: used, count: usedCount)
        let counts = self.counts
        order.sort { (a: Int32, b: Int32) -> Bool in
            let ca = counts[Int(a)], cb = counts[Int(b)]
            return ca != cb ? ca > cb : a < b
        }
        done.update(repeating: 0, count: width)
        for n in 0..<usedCount {
            let c = Int(used[n])
            let from = Int(low[c]), to = Int(high[c])
            // A pass is at most one byte a column, the colour, the skip to its span and `$`.
            out.reserve(to - from + 1 + 48)
            out.base[out.count] = UInt8(ascii: "#")
            out.advance(1)
            out.unreservedNumber(c)
            if from > 0 { out.unreservedRun(63, from) }
            let b = bits + c * width
            var must = b[from], spare = done[from], length = 1
            var x = from + 1
            while x <= to {
                // Eight columns the colour does not use and whose painted pixels the current run's
                // character spares join the run at once.
                if x + 8 <= to + 1 {
                    let m8 = UnsafeRawPointer(b + x).loadUnaligned(as: UInt64.self)
                    if m8 == 0 {
                        let f8 = UnsafeRawPointer(done + x).loadUnaligned(as: UInt64.self)
                        if f8 & (UInt64(must) &* 0x0101_0101_0101_0101) == 0 {
                            var f = f8 | f8 >> 32
                            f |= f >> 16
                            f |= f >> 8
                            spare |= UInt8(truncatingIfNeeded: f)
                            length += 8
                            x += 8
                            continue
                        }
                    }
                }
                let m = b[x], f = done[x]
                if (must | m) & (spare | f) == 0 {
                    must |= m
                    spare |= f
                    length += 1
                } else {
                    out.unreservedRun(63 + must, length)
                    must = m
                    spare = f
                    length = 1
                }
                x += 1
            }
            out.unreservedRun(63 + must, length)
            for x in from...to {
                done[x] |= b[x]
                b[x] = 0
            }
            low[c] = Int32.max
            high[c] = -1
            counts[c] = 0
            if n < usedCount - 1 || !last {
                out.base[out.count] = n == usedCount - 1 ? UInt8(ascii: "-") : UInt8(ascii: "$")
                out.advance(1)
            }
        }
    }
}

extension SixelBytes {
    /// Counts `n` bytes written through `base` directly.
    @inline(__always)
    mutating func advance(_ n: Int) { count += n }
}

/// Pointers into buffers that outlive a `concurrentPerform` and that its iterations only read
/// (or write in disjoint parts), handed to them across the Sendable boundary.
struct SixelShared<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// The encoded band groups of one sixel frame, filled from several threads.
private final class SixelPieces: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [SixelBytes?]

    init(count: Int) { stored = Array(repeating: nil, count: count) }

    /// The pieces in band order (every group has stored its own by the time this is read).
    var pieces: [SixelBytes] { stored.map { $0! } }

    func store(_ i: Int, _ bytes: SixelBytes) {
        lock.lock()
        stored[i] = bytes
        lock.unlock()
    }
}
