import Testing
@testable import TrowelVolume

@Suite struct FossilPhantomTests {
    let phantom = try! FossilPhantom(size: 48, slices: 40)

    @Test func slabsAreIdenticalWhateverTheSlabBoundaries() throws {
        let whole = try phantom.readSlices(0..<12).converted(to: UInt8.self)
        let part = try phantom.readSlices(5..<7).converted(to: UInt8.self)
        #expect(part.elements == whole.cropped(to: Box(z: 5..<7, y: 0..<48, x: 0..<48)).elements)
        #expect(phantom.truthSlices(3..<9).elements == phantom.truthSlices(0..<12).cropped(to: Box(z: 3..<9, y: 0..<48, x: 0..<48)).elements)
    }

    @Test func boneIsBrighterThanMatrixAndBothClassesExist() throws {
        let range = 0..<40
        let image = try phantom.readSlices(range).converted(to: Double.self)
        let truth = phantom.truthSlices(range)
        var sums = [0.0, 0.0, 0.0], counts = [0, 0, 0]
        for (v, t) in zip(image.elements, truth.elements) {
            sums[Int(t)] += v
            counts[Int(t)] += 1
        }
        #expect(counts[0] == 0)
        #expect(counts[1] > 200 && counts[2] > counts[1])
        #expect(sums[1] / Double(counts[1]) > sums[2] / Double(counts[2]) + 40)
    }

    @Test func seedChangesNoiseButNotTruth() throws {
        let other = try FossilPhantom(size: 48, slices: 40, seed: 2)
        #expect(try other.readSlices(0..<2).converted(to: UInt8.self).elements != phantom.readSlices(0..<2).converted(to: UInt8.self).elements)
        #expect(other.truthSlices(0..<40).elements.filter { $0 == 1 }.count > 0)
    }

    @Test func sixteenBitPhantomSpansTheWiderRange() throws {
        let wide = try FossilPhantom(size: 32, slices: 4, dtype: .u16)
        #expect(wide.dtype == .u16)
        #expect(try wide.readSlices(0..<4).valueRange!.upperBound > 255 * 100)
    }

    @Test func badParametersAreRejected() {
        #expect(throws: PhantomError.self) { try FossilPhantom(size: 4) }
        #expect(throws: PhantomError.self) { try FossilPhantom(size: 64, dtype: .f32) }
    }
}
