import Foundation
import Testing
import TrowelVolume
@testable import TrowelML

/// Largest |a − b| over the range of `b`, per feature, for voxel-major arrays of `featureCount` features.
private func worstRelativeError(_ a: [Float], _ b: [Float], featureCount: Int) -> (error: Float, feature: Int) {
    var worst: (Float, Int) = (0, -1)
    for k in 0..<featureCount {
        var lo = Float.infinity, hi = -Float.infinity, err: Float = 0
        for i in stride(from: k, to: b.count, by: featureCount) {
            lo = min(lo, b[i]); hi = max(hi, b[i])
            err = max(err, abs(a[i] - b[i]))
        }
        let rel = err / max(hi - lo, 1e-6)
        if rel > worst.0 { worst = (rel, k) }
    }
    return worst
}

@Suite struct FeatureBankTests {
    @Test func sigmaSeriesMatchesScikitImage() {
        #expect(FeatureSpec.sigmaSeries(from: 1, to: 32) == [1, 2, 4, 8, 16, 32])
        #expect(FeatureSpec.sigmaSeries(from: 0.5, to: 16) == [0.5, 1, 2, 4, 8, 16])
        #expect(FeatureSpec.basic().featureCount == 24)
        #expect(FeatureSpec.basic(sigmaMin: 1, sigmaMax: 32, dimensionality: .volumetric).featureCount == 30)
    }

    @Test func planarFeaturesMatchScikitImage() throws {
        let image = try Fixtures.u8("ml2d_image.u8", shape: Shape(z: 1, y: 16, x: 20))
        let expected = try Fixtures.f32("ml2d_features.f32")
        let bank = try FeatureBank(spec: .basic(sigmaMin: 1, sigmaMax: 8))
        #expect(bank.featureCount == 16)
        let features = bank.features(of: AnyBlock(image))
        #expect(features.values.count == expected.count)
        let (error, feature) = worstRelativeError(features.values, expected, featureCount: 16)
        #expect(error < 1e-3, "feature \(feature) (\(bank.spec.featureNames[max(0, feature)])) differs by \(error) of its range")
    }

    @Test func volumetricFeaturesMatchScikitImage() throws {
        let volume = try Fixtures.u8("ml3d_volume.u8", shape: Shape(z: 10, y: 8, x: 8))
        let expected = try Fixtures.f32("ml3d_features.f32")
        let bank = try FeatureBank(spec: .basic(sigmaMin: 1, sigmaMax: 2, dimensionality: .volumetric))
        let features = bank.features(of: AnyBlock(volume))
        #expect(features.values.count == expected.count)
        let (error, feature) = worstRelativeError(features.values, expected, featureCount: 10)
        #expect(error < 1e-3, "feature \(feature) differs by \(error) of its range")
    }

    @Test func ilastikFiltersMatchTheirDefinitions() throws {
        let image = try Fixtures.u8("ml2d_image.u8", shape: Shape(z: 1, y: 16, x: 20))
        let expected = try Fixtures.f32("ml2d_extra.f32")
        let spec = FeatureSpec(filters: [.laplacianOfGaussian, .differenceOfGaussians, .structureTensorEigenvalues], sigmas: [2])
        let features = try FeatureBank(spec: spec).features(of: AnyBlock(image))
        #expect(features.featureCount == 4)
        let (error, feature) = worstRelativeError(features.values, expected, featureCount: 4)
        #expect(error < 1e-3, "feature \(feature) differs by \(error) of its range")
    }

    @Test func scalesBelowOneMatchScikitImage() throws {
        let image = try Fixtures.u8("ml2d_image.u8", shape: Shape(z: 1, y: 16, x: 20))
        let expected = try Fixtures.f32("ml2d_small.f32")
        let bank = try FeatureBank(spec: .basic(sigmaMin: 0.5, sigmaMax: 4))
        #expect(bank.spec.sigmas == [0.5, 1, 2, 4])
        let features = bank.features(of: AnyBlock(image))
        let (error, feature) = worstRelativeError(features.values, expected, featureCount: 16)
        #expect(error < 1e-3, "feature \(feature) (\(bank.spec.featureNames[max(0, feature)])) differs by \(error) of its range")
    }

    @Test func ilastikFiltersMatchTheirDefinitionsBelowOne() throws {
        let image = try Fixtures.u8("ml2d_image.u8", shape: Shape(z: 1, y: 16, x: 20))
        let expected = try Fixtures.f32("ml2d_extra07.f32")
        let spec = FeatureSpec(filters: [.laplacianOfGaussian, .differenceOfGaussians, .structureTensorEigenvalues], sigmas: [0.7])
        let features = try FeatureBank(spec: spec).features(of: AnyBlock(image))
        let (error, feature) = worstRelativeError(features.values, expected, featureCount: 4)
        #expect(error < 1e-3, "feature \(feature) differs by \(error) of its range")
    }

    @Test func rawFeatureIsTheNormalisedVoxelFirst() throws {
        let image = try Fixtures.u8("ml2d_image.u8", shape: Shape(z: 1, y: 16, x: 20))
        let plain = try FeatureBank(spec: .basic(sigmaMin: 1, sigmaMax: 8)).features(of: AnyBlock(image))
        var spec = FeatureSpec.basic(sigmaMin: 1, sigmaMax: 8)
        spec.includesRaw = true
        let bank = try FeatureBank(spec: spec)
        #expect(bank.featureCount == 17 && spec.featureNames.first == "raw" && spec.halo == FeatureSpec.basic(sigmaMin: 1, sigmaMax: 8).halo)
        let withRaw = bank.features(of: AnyBlock(image))
        for i in 0..<image.elements.count {
            #expect(withRaw.values[i * 17] == Float(image.elements[i]) / 255)
            #expect(Array(withRaw.values[(i * 17 + 1)..<(i * 17 + 17)]) == Array(plain.values[(i * 16)..<(i * 16 + 16)]))
        }
    }

    @Test func clippedWindowMapsPercentilesToUnitRangeAndClips() throws {
        let values: [Int16] = [-1000, -200, 0, 300, 700, 1200, 3000, 30000]
        let block = Block(shape: Shape(z: 1, y: 1, x: values.count), elements: values)
        let spec = FeatureSpec(filters: [.intensity], sigmas: [1], normalization: .clippedWindow(lower: -200, upper: 1200),
                               includesRaw: true)
        let features = try FeatureBank(spec: spec).features(of: AnyBlock(block))
        let raw = (0..<values.count).map { features.values[$0 * 2] }
        let want: [Float] = [0, 0, 200 / 1400, 500 / 1400, 900 / 1400, 1, 1, 1]
        for (got, w) in zip(raw, want) { #expect(abs(got - w) < 1e-6) }
        // The same window unclipped lets the extremes through.
        let open = FeatureSpec(filters: [.intensity], sigmas: [1], normalization: .window(lower: -200, upper: 1200), includesRaw: true)
        #expect(try FeatureBank(spec: open).features(of: AnyBlock(block)).values[14] > 20)
    }

    @Test(arguments: [FeatureSpec.Dimensionality.planar, .volumetric])
    func blockWithHaloEqualsWholeImageExactly(_ dimensionality: FeatureSpec.Dimensionality) throws {
        try blockwiseEqualsWhole(FeatureSpec(filters: FeatureSpec.Filter.allCases, sigmas: [1, 2], dimensionality: dimensionality))
        // ilastik's bank with the raw feature, a scale below 1 and a hole in the grid.
        var ilastik = FeatureSpec.ilastik(sigmas: [0.7, 2], dimensionality: dimensionality, includesRaw: true)
        ilastik.omitted = [.init(.structureTensorEigenvalues, at: 0.7), .init(.hessianEigenvalues, at: 2)]
        try blockwiseEqualsWhole(ilastik)
        // A window per slice (brightness drifting along z), with the raw value.
        let lower: [Double] = (0..<30).map { Double($0) }
        let upper: [Double] = (0..<30).map { 100 + 3 * Double($0) }
        let windows = FeatureSpec.Normalization.sliceWindows(lower: lower, upper: upper)
        try blockwiseEqualsWhole(FeatureSpec(sigmas: [1, 2], dimensionality: dimensionality, normalization: windows, includesRaw: true))
    }

    @Test func sliceWindowsNormaliseEachSliceByItsOwnWindow() throws {
        // Slice z holds 10z … 10z + 100: its own window maps every slice onto the same 0…1.
        let shape = Shape(z: 4, y: 1, x: 3)
        var values: [UInt16] = []
        for z in 0..<4 {
            let base = UInt16(10 * z)
            values += [base, base + 50, base + 100]
        }
        let windows = FeatureSpec.Normalization.sliceWindows(lower: [0, 10, 20, 30], upper: [100, 110, 120, 130])
        #expect(windows.clips && windows.isPerSlice)
        let spec = FeatureSpec(filters: [.intensity], sigmas: [1], normalization: windows, includesRaw: true)
        let bank = try FeatureBank(spec: spec)
        let raw = bank.normalised(AnyBlock(Block(shape: shape, elements: values))).elements
        func near(_ a: [Float], _ b: [Float]) -> Bool { zip(a, b).allSatisfy { abs($0 - $1) < 1e-6 } }
        for z in 0..<4 { #expect(near(Array(raw[(3 * z)..<(3 * z + 3)]), [0, 0.5, 1]), "slice \(z): \(raw)") }
        // A block starting at slice 2 uses slices 2 and 3's windows; slices past the end use the last.
        let tail = Block(shape: Shape(z: 3, y: 1, x: 1), elements: [UInt16(25), 35, 230])
        #expect(near(bank.startingAt(slice: 2).normalised(AnyBlock(tail)).elements, [0.05, 0.05, 1]))
        // Decoding keeps the windows.
        let decoded = try JSONDecoder().decode(FeatureSpec.self, from: JSONEncoder().encode(spec))
        #expect(decoded == spec)
    }

    private func blockwiseEqualsWhole(_ spec: FeatureSpec) throws {
        let bank = try FeatureBank(spec: spec)
        let shape = Shape(z: 30, y: 34, x: 36)
        var state: UInt64 = 12345
        var voxels = [UInt8](repeating: 0, count: shape.voxelCount)
        for i in 0..<voxels.count {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let noise = Int(state >> 57)
            voxels[i] = UInt8(noise + (i / 7) % 64)
        }
        let volume = Block(shape: shape, elements: voxels)
        let whole = bank.features(of: AnyBlock(volume))
        for box in [Box(z: 14..<17, y: 15..<20, x: 15..<21), Box(z: 0..<3, y: 0..<9, x: 28..<36)] {
            let context = bank.contextBox(for: box, within: shape.box)
            #expect(context != shape.box)   // the context is a true crop, not the whole volume
            let piece = volume.cropped(to: context)
            let blockwise = bank.startingAt(slice: context.lower.z)
                .features(of: AnyBlock(piece), in: box.translated(by: Index3.zero - context.lower))
            #expect(blockwise.values == whole.cropped(to: box).values)
            if spec.normalization.isPerSlice && context.lower.z > 0 {
                // The block's first slice matters: read as slice 0 it is normalised wrongly.
                #expect(bank.features(of: AnyBlock(piece), in: box.translated(by: Index3.zero - context.lower)).values
                        != whole.cropped(to: box).values)
            }
        }
        // Too little context changes the result, so the test can fail.
        let box = Box(z: 14..<17, y: 15..<20, x: 15..<21)
        let thin = box.padded(by: 2, within: shape.box)
        let short = bank.features(of: AnyBlock(volume.cropped(to: thin)), in: box.translated(by: Index3.zero - thin.lower))
        #expect(short.values != whole.cropped(to: box).values)
    }

    @Test func sparseFeaturesEqualDenseFeatures() throws {
        let bank = try FeatureBank(spec: .basic(sigmaMin: 1, sigmaMax: 4))
        let shape = Shape(z: 2, y: 300, x: 280)
        var elements = [UInt8](repeating: 0, count: shape.voxelCount)
        for i in 0..<elements.count {
            let v: Int = (i * 37 + (i / 280) * 11) % 251
            elements[i] = UInt8(v)
        }
        let volume = Block<UInt8>(shape: shape, elements: elements)
        let dense = bank.features(of: AnyBlock(volume))
        // Two clusters far apart, so tiles are used rather than one bounding box.
        let voxels = [Index3(z: 0, y: 3, x: 4), Index3(z: 0, y: 5, x: 9), Index3(z: 1, y: 290, x: 270), Index3(z: 1, y: 299, x: 279)]
        let sparse = bank.features(at: voxels, of: AnyBlock(volume))
        let f = bank.featureCount
        for (i, v) in voxels.enumerated() {
            let o = shape.offset(z: v.z, y: v.y, x: v.x)
            let got: [Float] = Array(sparse[(i * f)..<(i * f + f)])
            let want: [Float] = Array(dense.values[(o * f)..<(o * f + f)])
            #expect(got == want)
        }
    }

    @Test func specRoundTripsThroughJSONAndRejectsBadScales() throws {
        let spec = FeatureSpec(filters: [.intensity, .structureTensorEigenvalues], sigmas: [0.7, 3],
                               dimensionality: .volumetric, normalization: .window(lower: 100, upper: 4000))
        let data = try JSONEncoder().encode(spec)
        #expect(try JSONDecoder().decode(FeatureSpec.self, from: data) == spec)
        #expect(throws: FeatureSpecError.self) { try FeatureBank(spec: FeatureSpec(sigmas: [1, -2])) }
        #expect(spec.halo == 12 + 1 + 6)   // int(4·3 + 0.5) + gradient + int(4·1.5 + 0.5)
        #expect(throws: FeatureSpecError.self) { try FeatureBank(spec: FeatureSpec(sigmas: [1, 1])) }
        let empty = FeatureSpec(filters: [.intensity], sigmas: [1, 2], omitted: [.init(.intensity, at: 2)])
        #expect(throws: FeatureSpecError.self) { try FeatureBank(spec: empty) }
    }

    @Test func gridOmissionsAndRawCountAndNameFeatures() throws {
        var spec = FeatureSpec.ilastik(includesRaw: true)
        #expect(spec.featureCount == 1 + 6 * 8)
        spec.omitted = [.init(.structureTensorEigenvalues, at: 0.7), .init(.differenceOfGaussians, at: 10)]
        #expect(spec.featureCount == 1 + 6 * 8 - 3)
        #expect(spec.featureNames.count == spec.featureCount)
        #expect(!spec.featureNames.contains("structureTensorEigenvalues[0] σ=0.7"))
        #expect(spec.featureNames.contains("structureTensorEigenvalues[0] σ=1"))
        #expect(spec.firstFeature(ofScale: 1) == 1 + 6)
        let round = try JSONDecoder().decode(FeatureSpec.self, from: JSONEncoder().encode(spec))
        #expect(round == spec)
        // A spec written before the raw feature and the grid existed still reads.
        let old = #"{"filters":["intensity"],"sigmas":[1,2],"dimensionality":"planar","normalization":{"dtypeRange":{}}}"#
        let decoded = try JSONDecoder().decode(FeatureSpec.self, from: Data(old.utf8))
        #expect(decoded == FeatureSpec(filters: [.intensity], sigmas: [1, 2]))
    }
}
