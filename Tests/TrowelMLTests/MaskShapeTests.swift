import Testing
@testable import TrowelML

/// `MaskShape` on masks whose pieces, holes, depths and roundness are known exactly.
struct MaskShapeTests {
    /// A mask from rows of "#" (fossil) and "." (background).
    static func mask(_ rows: [String]) -> (values: [Float], height: Int, width: Int) {
        (rows.flatMap { $0.map { $0 == "#" ? Float(1) : 0 } }, rows.count, rows[0].count)
    }

    @Test func aRingHasOneHoleAndWallsOneDeep() {
        let m = Self.mask(["#########", "#.......#", "#.......#", "#.......#", "#.......#", "#.......#", "#.......#", "#.......#", "#########"])
        let s = MaskShape(m.values, height: m.height, width: m.width)
        #expect(s.pieces == 1 && s.holes == [49] && s.area == 32 && s.filledArea == 81)
        #expect(s.filled.allSatisfy { $0 == 1 })
        #expect(s.meanDepth == 1 && s.maximumDepth == 1)
        #expect(Swift.abs(s.roundness - 1) < 1e-12)
    }

    @Test func chambersPiecesAndGaps() {
        // Two rings side by side (two chambers) and a separate dot; the right ring's wall has a
        // diagonal gap, which 4-connected background cannot pass: it is still a hole.
        let m = Self.mask(["#####.####.",
                           "#...#.#..#.",
                           "#...#.#...#",
                           "#####.####.",
                           "...........",
                           "#.........."])
        let s = MaskShape(m.values, height: m.height, width: m.width)
        // The right ring's diagonal step still joins it (8-connected): three pieces.
        #expect(s.pieces == 3)
        #expect(s.holes == [6, 5], "\(s.holes)")
        #expect(s.filledArea == s.area + 11)
    }

    @Test func aSolidSquareAndALine() {
        // 5 × 5 solid: depth 1 on the rim (16 pixels), 2 inside it (8), 3 at the centre.
        let square = Self.mask(Array(repeating: "#####", count: 5))
        let s = MaskShape(square.values, height: 5, width: 5)
        #expect(s.pieces == 1 && s.holes.isEmpty && s.filledArea == 25)
        #expect(Swift.abs(s.meanDepth - 35.0 / 25) < 1e-12 && s.maximumDepth == 3)
        let line = MaskShape([Float](repeating: 1, count: 10), height: 1, width: 10)
        #expect(line.roundness == 0 && line.holes.isEmpty && line.meanDepth == 1)
        let empty = MaskShape([Float](repeating: 0, count: 12), height: 3, width: 4)
        #expect(empty.pieces == 0 && empty.area == 0 && empty.holes.isEmpty && empty.meanDepth == 0)
    }
}
