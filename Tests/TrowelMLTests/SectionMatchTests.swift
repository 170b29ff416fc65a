import Foundation
import Testing
@testable import TrowelML

/// SSIM and NCC against scikit-image and the direct formula (Scripts/make-match-fixtures.py), and
/// the pose convention against an explicit rotation.
struct SectionMatchTests {
    struct Case: Decodable {
        var name: String
        var height: Int
        var width: Int
        var a: [Double]
        var b: [Double]
        var data_range: Double
        var ssim: Double
        var ncc: Double
    }
    struct File: Decodable { var cases: [Case] }

    static let file: File = try! JSONDecoder().decode(File.self, from: Fixtures.data("match.json"))

    @Test(arguments: file.cases.map(\.name))
    func ssimEqualsScikitImage(_ name: String) throws {
        let c = Self.file.cases.first { $0.name == name }!
        let s = try #require(StructuralSimilarity.mean(c.a, c.b, height: c.height, width: c.width, dataRange: c.data_range))
        #expect(Swift.abs(s - c.ssim) < 1e-4, "\(name): \(s) vs scikit-image \(c.ssim)")
        // A validity mask that is all true changes nothing.
        let masked = StructuralSimilarity.mean(c.a, c.b, height: c.height, width: c.width, dataRange: c.data_range,
                                               valid: [Bool](repeating: true, count: c.a.count))
        #expect(masked.map { Swift.abs($0 - s) < 1e-12 } ?? false)
    }

    @Test(arguments: file.cases.map(\.name))
    func nccEqualsTheDirectFormula(_ name: String) throws {
        let c = Self.file.cases.first { $0.name == name }!
        let n = try #require(CrossCorrelation.of(c.a, c.b))
        #expect(Swift.abs(n - c.ncc) < 1e-4, "\(name): \(n) vs \(c.ncc)")
        // The running-sum form used by the search agrees.
        var sa = 0.0, sb = 0.0, saa = 0.0, sbb = 0.0, sab = 0.0
        for i in c.a.indices { sa += c.a[i]; sb += c.b[i]; saa += c.a[i] * c.a[i]; sbb += c.b[i] * c.b[i]; sab += c.a[i] * c.b[i] }
        let running = try #require(CrossCorrelation.of(count: Double(c.a.count), sa: sa, sb: sb, saa: saa, sbb: sbb, sab: sab))
        #expect(Swift.abs(running - c.ncc) < 1e-6)
    }

    @Test func maskedSSIMSkipsWindowsTouchingInvalidPixels() throws {
        let c = Self.file.cases.first { $0.name == "blob-noise" }!
        var valid = [Bool](repeating: true, count: c.a.count)
        var b = c.b
        // Garbage in the last columns, marked invalid, must not change the windows that avoid them.
        for r in 0..<c.height { for x in (c.width - 3)..<c.width { valid[r * c.width + x] = false; b[r * c.width + x] = 1e6 } }
        let masked = try #require(StructuralSimilarity.mean(c.a, b, height: c.height, width: c.width, dataRange: 255, valid: valid))
        let cropped = { (v: [Double]) in (0..<c.height).flatMap { r in v[(r * c.width)..<(r * c.width + c.width - 3)] } }
        let reference = try #require(StructuralSimilarity.mean(cropped(c.a), cropped(c.b), height: c.height, width: c.width - 3, dataRange: 255))
        #expect(Swift.abs(masked - reference) < 1e-12)
    }

    /// A pose of 90° is numpy's rot90 (counter-clockwise): image[r][c] = slice[c][n − 1 − r].
    @Test func ninetyDegreesIsACounterClockwiseQuarterTurn() {
        let n = 7
        let pose = SectionPose(angle: 90, scale: 1, offset: (0, 0))
        for r in 0..<n {
            for c in 0..<n {
                let q = pose.slicePoint(row: Double(r), column: Double(c), image: (n, n), slice: (n, n))
                #expect(Swift.abs(q.row - Double(c)) < 1e-9 && Swift.abs(q.column - Double(n - 1 - r)) < 1e-9)
            }
        }
        // Scale 2: the image is twice the size; its centre is the slice centre plus the offset.
        let zoomed = SectionPose(angle: 0, scale: 2, offset: (1.5, -2))
        let centre = zoomed.slicePoint(row: 9.5, column: 9.5, image: (20, 20), slice: (11, 11))
        #expect(Swift.abs(centre.row - 6.5) < 1e-9 && Swift.abs(centre.column - 3) < 1e-9)
        let corner = zoomed.slicePoint(row: 11.5, column: 9.5, image: (20, 20), slice: (11, 11))
        #expect(Swift.abs(corner.row - 7.5) < 1e-9)
    }

    /// The working-grid map the search uses agrees with the pose's own point mapping.
    @Test func workingMapAgreesWithThePose() {
        let pose = SectionPose(angle: 33, scale: 1.3, offset: (4, -7))
        let image = (height: 90, width: 70), slice = (height: 64, width: 80)
        let m = pose.workingMap(image: image, imageFactor: 3, slice: slice, slicePixel: 2)
        for (r, c) in [(0, 0), (5, 11), (29, 22)] {
            let full = pose.slicePoint(row: (Double(r) + 0.5) * 3 - 0.5, column: (Double(c) + 0.5) * 3 - 0.5, image: image, slice: slice)
            let y = m.a * Double(r) + m.b * Double(c) + m.e, x = m.f * Double(r) + m.g * Double(c) + m.h
            #expect(Swift.abs(y - ((full.row + 0.5) / 2 - 0.5)) < 1e-9 && Swift.abs(x - ((full.column + 0.5) / 2 - 0.5)) < 1e-9)
        }
    }

    /// Polar Dice finds the rotation of a rotated shape, and scores a different shape lower.
    @Test func polarDiceFindsTheRotation() throws {
        let n = 64
        func plane(_ inside: (Double, Double) -> Bool) -> GreyPlane {
            GreyPlane(height: n, width: n, values: (0..<(n * n)).map { inside(Double($0 / n) - 31.5, Double($0 % n) - 31.5) ? 1 : 0 })
        }
        // An L of two bars; the image is it turned 60° counter-clockwise (on screen, rows down).
        func ell(_ y: Double, _ x: Double) -> Bool { (x > -16 && x < -8 && y > -18 && y < 18) || (x > -16 && x < 14 && y > 10 && y < 18) }
        let t = 60 * Double.pi / 180
        let slice = try #require(MaskSignature(plane(ell), threshold: 0.5))
        let image = try #require(MaskSignature(plane { y, x in ell(y * cos(t) + x * sin(t), -y * sin(t) + x * cos(t)) }, threshold: 0.5))
        let found = image.bestRotation(against: slice)
        #expect(Swift.abs(found.angle - 60) <= 4, "\(found)")
        #expect(found.dice > 0.9)
        let disc = try #require(MaskSignature(plane { y, x in y * y + x * x < 300 }, threshold: 0.5))
        #expect(disc.bestRotation(against: slice).dice < found.dice - 0.1)
    }
}
