/// A palette of colour registers fitted to one frame for sixel: CT slices are mostly grey, so
/// the greys present get most registers, and the few overlay colours (labels, hypothesis tints,
/// cursor) the most frequent of the rest. Sixel defines colours in percent, so greys have at
/// most 101 distinct levels anyway; a frame with no more greys and colours than registers is
/// reproduced to that precision.
struct SixelPalette {
    /// The registers' colours, as percentages 0…100 per channel (what `#n;2;r;g;b` sends).
    private(set) var percents: [(r: UInt8, g: UInt8, b: UInt8)] = []
    /// Register for each grey percent level 0…100.
    private var greyRegister = [UInt16](repeating: 0, count: 101)
    /// Registers of the non-grey entries, for the nearest-colour search.
    private var colourRegisters: [Int] = []
    /// Nearest register per 15-bit colour key, filled on first use (-1: not yet).
    private var cache = [Int16](repeating: -1, count: 1 << 15)

    @inline(__always) static func percent(_ v: UInt8) -> Int { (Int(v) * 100 + 127) / 255 }
    @inline(__always) static func level(ofPercent p: Int) -> Int { (p * 255 + 50) / 100 }

    /// Fits at most `registers` (≥ 2) colours to `image`.
    init(fitting image: PixelImage, registers: Int) {
        let registers = max(2, min(registers, 4096))
        var greys = [Int](repeating: 0, count: 101)
        var colourCounts = [Int](repeating: 0, count: 4096)
        var colourSums = [(r: Int, g: Int, b: Int)](repeating: (0, 0, 0), count: 4096)
        image.pixels.withUnsafeBufferPointer { px in
            for p in px {
                if p.r == p.g && p.g == p.b {
                    greys[Self.percent(p.r)] += 1
                } else {
                    let key = Int(p.r >> 4) << 8 | Int(p.g >> 4) << 4 | Int(p.b >> 4)
                    colourCounts[key] += 1
                    colourSums[key].r += Int(p.r)
                    colourSums[key].g += Int(p.g)
                    colourSums[key].b += Int(p.b)
                }
            }
        }
        let greyLevels = (0...100).filter { greys[$0] > 0 }
        let colourKeys = (0..<4096).filter { colourCounts[$0] > 0 }.sorted { colourCounts[$0] > colourCounts[$1] }
        var colourSlots = colourKeys.count
        if greyLevels.count + colourKeys.count > registers {
            colourSlots = min(colourKeys.count, max(registers / 4, registers - greyLevels.count))
        }
        let greySlots = max(greyLevels.isEmpty ? 0 : 1, registers - colourSlots)
        // Greys: all levels present, or that many spread evenly over the range present.
        var chosenGreys: [Int]
        if greyLevels.count <= greySlots {
            chosenGreys = greyLevels
        } else {
            let lo = greyLevels.first!, hi = greyLevels.last!
            chosenGreys = (0..<greySlots).map { lo + ($0 * (hi - lo) + (greySlots - 1) / 2) / max(1, greySlots - 1) }
            chosenGreys = Array(Set(chosenGreys)).sorted()
        }
        for g in chosenGreys { percents.append((UInt8(g), UInt8(g), UInt8(g))) }
        if !chosenGreys.isEmpty {
            var j = 0
            for p in 0...100 {
                while j + 1 < chosenGreys.count && abs(chosenGreys[j + 1] - p) <= abs(chosenGreys[j] - p) { j += 1 }
                greyRegister[p] = UInt16(j)
            }
        }
        for key in colourKeys.prefix(min(colourSlots, registers - percents.count)) {
            let n = colourCounts[key], s = colourSums[key]
            colourRegisters.append(percents.count)
            percents.append((UInt8(Self.percent(UInt8(s.r / n))), UInt8(Self.percent(UInt8(s.g / n))), UInt8(Self.percent(UInt8(s.b / n)))))
        }
        if percents.isEmpty { percents.append((0, 0, 0)) }
    }

    /// The register for colour `c`.
    @inline(__always)
    mutating func register(for c: RGB) -> Int {
        if c.r == c.g && c.g == c.b && colourRegisters.count < percents.count {
            return Int(greyRegister[Self.percent(c.r)])
        }
        let key = Int(c.r >> 3) << 10 | Int(c.g >> 3) << 5 | Int(c.b >> 3)
        let known = cache[key]
        if known >= 0 { return Int(known) }
        let pr = Self.percent(c.r), pg = Self.percent(c.g), pb = Self.percent(c.b)
        var best = 0, bestDistance = Int.max
        for (i, p) in percents.enumerated() {
            let dr = Int(p.r) - pr, dg = Int(p.g) - pg, db = Int(p.b) - pb
            let d = 2 * dr * dr + 4 * dg * dg + db * db
            if d < bestDistance {
                bestDistance = d
                best = i
            }
        }
        cache[key] = Int16(best)
        return best
    }

    /// The colour register `i` shows, as a terminal turns the percentages back into 8 bits.
    func color(_ i: Int) -> RGB {
        let p = percents[i]
        return RGB(UInt8(Self.level(ofPercent: Int(p.r))), UInt8(Self.level(ofPercent: Int(p.g))), UInt8(Self.level(ofPercent: Int(p.b))))
    }
}
