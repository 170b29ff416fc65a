import Foundation

/// Rotation- and scale-invariant shape measures of a 2D fossil mask that count chambers and measure
/// walls: the mask's 8-connected pieces, its holes (4-connected background regions that do not reach
/// the image's edge: the chambers' cavities in a slice), the mask with its holes filled, and the
/// wall thickness from a chamfer distance transform.
public struct MaskShape: Sendable, Equatable {
    /// 8-connected pieces of the mask.
    public var pieces: Int
    /// Background regions enclosed by the mask.
    public var holes: [Int]
    /// Mask pixels.
    public var area: Int
    /// The mask with its holes filled (1 inside), row-major like the input.
    public var filled: [Float]
    /// Pixels of `filled`.
    public var filledArea: Int
    /// Mean and largest distance from a mask pixel to the nearest non-mask pixel (chamfer 3-4 / 3,
    /// in pixels; the crop's outside counts as background).
    public var meanDepth: Double
    public var maximumDepth: Double
    /// sqrt(smaller / larger eigenvalue) of the filled mask's second moments: 1 round, → 0 a line.
    public var roundness: Double

    /// Measures `mask` (`height` × `width`, row-major, nonzero = fossil).
    public init(_ mask: [Float], height h: Int, width w: Int) {
        precondition(mask.count == h * w, "MaskShape: \(mask.count) values for \(h)×\(w)")
        let inside = mask.map { $0 != 0 }
        area = inside.reduce(0) { $0 + ($1 ? 1 : 0) }
        var label = [Int32](repeating: 0, count: h * w)
        var stack: [Int] = []
        // Foreground pieces, 8-connected.
        var count: Int32 = 0
        for start in 0..<(h * w) where inside[start] && label[start] == 0 {
            count += 1
            label[start] = count
            stack.append(start)
            while let i = stack.popLast() {
                let r = i / w, c = i % w
                for dr in -1...1 {
                    for dc in -1...1 where dr != 0 || dc != 0 {
                        let rr = r + dr, cc = c + dc
                        guard rr >= 0, rr < h, cc >= 0, cc < w else { continue }
                        let j = rr * w + cc
                        if inside[j] && label[j] == 0 { label[j] = count; stack.append(j) }
                    }
                }
            }
        }
        pieces = Int(count)
        // Background regions, 4-connected; those touching the edge are outside, the rest holes.
        var holes: [Int] = []
        var filled = inside.map { $0 ? Float(1) : 0 }
        var visited = inside
        var region: [Int] = []
        for start in 0..<(h * w) where !visited[start] {
            visited[start] = true
            stack.append(start)
            region.removeAll(keepingCapacity: true)
            var touchesEdge = false
            while let i = stack.popLast() {
                region.append(i)
                let r = i / w, c = i % w
                if r == 0 || c == 0 || r == h - 1 || c == w - 1 { touchesEdge = true }
                for (rr, cc) in [(r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)] where rr >= 0 && rr < h && cc >= 0 && cc < w {
                    let j = rr * w + cc
                    if !visited[j] { visited[j] = true; stack.append(j) }
                }
            }
            if !touchesEdge {
                holes.append(region.count)
                for i in region { filled[i] = 1 }
            }
        }
        self.holes = holes.sorted(by: >)
        self.filled = filled
        filledArea = area + holes.reduce(0, +)

        // Chamfer 3-4 distance to background, two passes; outside the crop is background.
        let far: Int32 = 1 << 28
        var d = inside.map { $0 ? far : 0 }
        func at(_ r: Int, _ c: Int) -> Int32 { r < 0 || r >= h || c < 0 || c >= w ? 0 : d[r * w + c] }
        for r in 0..<h {
            for c in 0..<w where d[r * w + c] > 0 {
                d[r * w + c] = min(d[r * w + c], at(r, c - 1) + 3, at(r - 1, c) + 3, at(r - 1, c - 1) + 4, at(r - 1, c + 1) + 4)
            }
        }
        for r in stride(from: h - 1, through: 0, by: -1) {
            for c in stride(from: w - 1, through: 0, by: -1) where d[r * w + c] > 0 {
                d[r * w + c] = min(d[r * w + c], at(r, c + 1) + 3, at(r + 1, c) + 3, at(r + 1, c + 1) + 4, at(r + 1, c - 1) + 4)
            }
        }
        var sum = 0.0, top = 0.0
        for i in d.indices where inside[i] { sum += Double(d[i]) / 3; top = max(top, Double(d[i]) / 3) }
        meanDepth = area > 0 ? sum / Double(area) : 0
        maximumDepth = top

        var n = 0.0, mr = 0.0, mc = 0.0
        for i in filled.indices where filled[i] > 0 { n += 1; mr += Double(i / w); mc += Double(i % w) }
        if n > 1 {
            mr /= n; mc /= n
            var srr = 0.0, scc = 0.0, src = 0.0
            for i in filled.indices where filled[i] > 0 {
                let dr = Double(i / w) - mr, dc = Double(i % w) - mc
                srr += dr * dr; scc += dc * dc; src += dr * dc
            }
            let mean = (srr + scc) / 2, spread = (((srr - scc) / 2) * ((srr - scc) / 2) + src * src).squareRoot()
            roundness = mean + spread > 0 ? (max(0, mean - spread) / (mean + spread)).squareRoot() : 1
        } else {
            roundness = 1
        }
    }
}
