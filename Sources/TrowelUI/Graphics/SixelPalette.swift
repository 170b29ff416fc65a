import Foundation

/// A palette of colour registers fitted to one frame for sixel: CT slices are mostly grey, so
/// the greys present get most registers, and the few overlay colours (labels, hypothesis tints,
/// cursor) the most frequent of the rest. Sixel defines colours in percent, so greys have at
/// most 101 distinct levels anyway; a frame with no more greys and colours than registers is
/// reproduced to that precision.
///
/// Fitting also builds the lookup tables `register(r:g:b:)` reads: one entry per 8-bit grey and
/// one per 15-bit colour key present in the frame, so quantising a pixel is a table read that
/// several threads can share (no lazily filled cache, nothing mutated after `init`).
struct SixelPalette: Sendable {
    /// The registers' colours, as percentages 0…100 per channel (what `#n;2;r;g;b` sends).
    private(set) var percents: [(r: UInt8, g: UInt8, b: UInt8)] = []
    /// Register per 8-bit grey level (greys of the frame; 0 when the frame has none).
    private(set) var greyTable = [UInt16](repeating: 0, count: 256)
    /// Nearest register per 15-bit colour key (5 bits a channel) of the frame's non-grey pixels.
    private(set) var colourTable = [UInt16](repeating: 0, count: 1 << 15)

    /// Percent (0…100) of each 8-bit level, as `#n;2;…` sends it.
    static let percentOf: [UInt8] = (0..<256).map { UInt8((Int($0) * 100 + 127) / 255) }
    @inline(__always) static func percent(_ v: UInt8) -> Int { (Int(v) * 100 + 127) / 255 }
    @inline(__always) static func level(ofPercent p: Int) -> Int { (p * 255 + 50) / 100 }

    /// Histograms of part of a frame, merged into the whole frame's.
    private final class Histogram: @unchecked Sendable {
        var greys = [Int](repeating: 0, count: 101)
        var colourCounts = [Int](repeating: 0, count: 4096)
        var colourSums = [Int](repeating: 0, count: 4096 * 3)
        /// 1 where a non-grey pixel has that 15-bit key.
        var keys = [UInt8](repeating: 0, count: 1 << 15)
    }

    /// Fits at most `registers` (≥ 2) colours to `image`, counting on `threads` threads.
    init(fitting image: PixelImage, registers: Int, threads: Int = 1) {
        let registers = max(2, min(registers, 4096))
        let count = image.width * image.height
        let parts = max(1, min(threads, count / 65536))
        let histograms = (0..<parts).map { _ in Histogram() }
        image.withRGBBytes { raw in
            guard let base = raw.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
            Self.percentOf.withUnsafeBufferPointer { percents in
                let shared = SixelShared((base, percents))
                DispatchQueue.concurrentPerform(iterations: parts) { part in
                    let (base, pc) = shared.value
                    let h = histograms[part]
                    let first = part * count / parts, last = (part + 1) * count / parts
                    h.greys.withUnsafeMutableBufferPointer { greys in
                        h.colourCounts.withUnsafeMutableBufferPointer { counts in
                            h.colourSums.withUnsafeMutableBufferPointer { sums in
                                h.keys.withUnsafeMutableBufferPointer { keys in
                                    var p = base + 3 * first
                                    for _ in first..<last {
                                        let r = p[0], g = p[1], b = p[2]
                                        p += 3
                                        if r == g && g == b {
                                            greys[Int(pc[Int(r)])] += 1
                                        } else {
                                            let key = Int(r >> 4) << 8 | Int(g >> 4) << 4 | Int(b >> 4)
                                            counts[key] += 1
                                            sums[3 * key] += Int(r)
                                            sums[3 * key + 1] += Int(g)
                                            sums[3 * key + 2] += Int(b)
                                            keys[Int(r >> 3) << 10 | Int(g >> 3) << 5 | Int(b >> 3)] = 1
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        let all = histograms[0]
        for h in histograms.dropFirst() {
            for i in 0..<101 { all.greys[i] += h.greys[i] }
            for i in 0..<4096 { all.colourCounts[i] += h.colourCounts[i] }
            for i in 0..<(4096 * 3) { all.colourSums[i] += h.colourSums[i] }
            for i in 0..<(1 << 15) { all.keys[i] |= h.keys[i] }
        }
        let greys = all.greys, colourCounts = all.colourCounts, colourSums = all.colourSums
        let greyLevels = (0...100).filter { greys[$0] > 0 }
        let colourKeys = (0..<4096).filter { colourCounts[$0] > 0 }.sorted { colourCounts[$0] != colourCounts[$1] ? colourCounts[$0] > colourCounts[$1] : $0 < $1 }
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
            var greyRegister = [UInt16](repeating: 0, count: 101)
            var j = 0
            for p in 0...100 {
                while j + 1 < chosenGreys.count && abs(chosenGreys[j + 1] - p) <= abs(chosenGreys[j] - p) { j += 1 }
                greyRegister[p] = UInt16(j)
            }
            for v in 0..<256 { greyTable[v] = greyRegister[Self.percent(UInt8(v))] }
        }
        for key in colourKeys.prefix(min(colourSlots, registers - percents.count)) {
            let n = colourCounts[key]
            percents.append((UInt8(Self.percent(UInt8(colourSums[3 * key] / n))), UInt8(Self.percent(UInt8(colourSums[3 * key + 1] / n))),
                             UInt8(Self.percent(UInt8(colourSums[3 * key + 2] / n)))))
        }
        if percents.isEmpty { percents.append((0, 0, 0)) }
        // The nearest register (weighted as the eye weighs the channels) of each colour key present,
        // measured from the key's centre.
        for key in 0..<(1 << 15) where all.keys[key] != 0 {
            let pr = Self.percent(UInt8((key >> 10) << 3 | 4)), pg = Self.percent(UInt8(((key >> 5) & 31) << 3 | 4)),
                pb = Self.percent(UInt8((key & 31) << 3 | 4))
            var best = 0, bestDistance = Int.max
            for (i, p) in percents.enumerated() {
                let dr = Int(p.r) - pr, dg = Int(p.g) - pg, db = Int(p.b) - pb
                let d = 2 * dr * dr + 4 * dg * dg + db * db
                if d < bestDistance {
                    bestDistance = d
                    best = i
                }
            }
            colourTable[key] = UInt16(best)
        }
    }

    /// The register for the pixel (`r`, `g`, `b`) of the fitted frame.
    @inline(__always)
    static func register(r: UInt8, g: UInt8, b: UInt8, greys: UnsafePointer<UInt16>, colours: UnsafePointer<UInt16>) -> UInt16 {
        r == g && g == b ? greys[Int(r)] : colours[Int(r >> 3) << 10 | Int(g >> 3) << 5 | Int(b >> 3)]
    }

    /// The register for colour `c` of the fitted frame.
    func register(for c: RGB) -> Int {
        c.r == c.g && c.g == c.b ? Int(greyTable[Int(c.r)]) : Int(colourTable[Int(c.r >> 3) << 10 | Int(c.g >> 3) << 5 | Int(c.b >> 3)])
    }

    /// The colour register `i` shows, as a terminal turns the percentages back into 8 bits.
    func color(_ i: Int) -> RGB {
        let p = percents[i]
        return RGB(UInt8(Self.level(ofPercent: Int(p.r))), UInt8(Self.level(ofPercent: Int(p.g))), UInt8(Self.level(ofPercent: Int(p.b))))
    }
}
