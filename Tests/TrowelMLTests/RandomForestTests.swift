import Foundation
import Testing
import TrowelVolume
@testable import TrowelML

/// A noisy two-class phantom: a bright disc (class 1) on a darker background (class 2), Gaussian-ish
/// noise of about the contrast, and scribble labels on ~3% of the pixels.
private func phantom(side: Int = 96, seed: UInt64 = 7) -> (image: Block<UInt8>, truth: Block<UInt8>, labels: Block<UInt8>) {
    let shape = Shape(z: 1, y: side, x: side)
    var rng = SeededGenerator(seed: seed)
    var image = [UInt8](repeating: 0, count: shape.voxelCount)
    var truth = [UInt8](repeating: 0, count: shape.voxelCount)
    var labels = [UInt8](repeating: 0, count: shape.voxelCount)
    let c = Double(side) / 2, r = Double(side) * 0.3
    for y in 0..<side {
        for x in 0..<side {
            let i = y * side + x
            let inside = (Double(y) - c) * (Double(y) - c) + (Double(x) - c) * (Double(x) - c) < r * r
            truth[i] = inside ? 1 : 2
            // Sum of uniforms ≈ Gaussian, sd ≈ 40 grey levels against a contrast of 60.
            var noise = 0.0
            for _ in 0..<4 { noise += Double(rng.below(1000)) / 1000 - 0.5 }
            image[i] = UInt8(clamping: Int(((inside ? 130.0 : 70.0) + noise * 70).rounded()))
            if rng.below(100) < 3 { labels[i] = truth[i] }
        }
    }
    return (Block(shape: shape, elements: image), Block(shape: shape, elements: truth), Block(shape: shape, elements: labels))
}

private func f1(_ predicted: Block<UInt8>, _ truth: Block<UInt8>, class k: UInt8) -> Double {
    var tp = 0, fp = 0, fn = 0
    for (p, t) in zip(predicted.elements, truth.elements) {
        if p == k && t == k { tp += 1 } else if p == k { fp += 1 } else if t == k { fn += 1 }
    }
    return Double(2 * tp) / Double(max(1, 2 * tp + fp + fn))
}

private let smallForest = ForestConfiguration(treeCount: 20, maxDepth: 10, seed: 42)

private func trainedForest(seed: UInt64 = 42) throws -> (RandomForest, FeatureImage) {
    let (image, _, labels) = phantom()
    let bank = try FeatureBank(spec: .basic(sigmaMin: 1, sigmaMax: 4))
    let features = bank.features(of: AnyBlock(image))
    var config = smallForest
    config.seed = seed
    let forest = try RandomForest.train(on: TrainingSamples(features: features, labels: labels.elements),
                                        spec: bank.spec, classTable: [ClassInfo(id: 1, name: "bone")], configuration: config)
    return (forest, features)
}

@Suite struct RandomForestTests {
    @Test func segmentsANoisyPhantom() throws {
        let (image, truth, labels) = phantom()
        var segmenter = try ForestSegmenter(spec: .basic(sigmaMin: 1, sigmaMax: 4), configuration: smallForest)
        try segmenter.fit([LabelledBlock(image: AnyBlock(image), labels: labels)])
        let probabilities = try segmenter.probabilities(of: AnyBlock(image), in: nil)
        let predicted = probabilities.labels
        #expect(f1(predicted, truth, class: 1) >= 0.95)
        #expect(f1(predicted, truth, class: 2) >= 0.95)
        // Raw intensity alone (no smoothing) is far worse, so the features carry the result.
        let raw = zip(image.elements, truth.elements).filter { ($0.0 > 100 ? 1 : 2) == $0.1 }.count
        #expect(Double(raw) / Double(truth.elements.count) < 0.9)
        #expect(segmenter.classes.map(\.id) == [1, 2])
    }

    @Test func sameDataAndSeedGiveTheIdenticalForest() throws {
        let (a, features) = try trainedForest()
        let (b, _) = try trainedForest()
        #expect(a == b)
        #expect(a.serialized() == b.serialized())
        #expect(a.probabilities(for: features).values == b.probabilities(for: features).values)
        let (c, _) = try trainedForest(seed: 43)
        #expect(a != c)
    }

    @Test func reportsImportancesOutOfBagErrorAndClassTable() throws {
        let (forest, _) = try trainedForest()
        #expect(abs(forest.importances.reduce(0, +) - 1) < 1e-9)
        #expect(forest.importances.count == 12)
        // The smoothed intensities separate the classes; edge features at σ=1 do not.
        #expect(forest.importances[0] + forest.importances[4] + forest.importances[8] > forest.importances[1])
        let oob = try #require(forest.oobError)
        #expect(oob < 0.1)
        #expect(forest.classes == [ClassInfo(id: 1, name: "bone"), ClassInfo(id: 2, name: "class 2")])
    }

    @Test func coherentPredictionEqualsWalkingEveryVoxel() throws {
        let (forest, features) = try trainedForest()
        // Real (coherent) features, plus shuffled rows so batches are incoherent, plus a ragged tail.
        var rows = features.values
        var rng = SeededGenerator(seed: 1)
        let f = features.featureCount
        for i in stride(from: features.voxelCount - 1, to: 0, by: -1) {
            let j = rng.below(i + 1)
            for k in 0..<f { rows.swapAt(i * f + k, j * f + k) }
        }
        rows += features.values.prefix(5 * f)
        for input in [features.values, rows] {
            let count = input.count / f
            let fast = forest.probabilities(forRows: input, count: count)
            var slow = [Float](repeating: 0, count: count * 2)
            input.withUnsafeBufferPointer { x in
                for i in 0..<count {
                    var sum: (Float, Float) = (0, 0)
                    for tree in forest.trees {
                        let leaf = tree.leaf(for: x.baseAddress! + i * f)
                        sum.0 += tree.values[leaf * 2]
                        sum.1 += tree.values[leaf * 2 + 1]
                    }
                    slow[i * 2] = sum.0 * (1 / Float(forest.treeCount))
                    slow[i * 2 + 1] = sum.1 * (1 / Float(forest.treeCount))
                }
            }
            #expect(fast == slow)
            // As an image of ragged tiles (93 voxels wide), through both compiled copies of the traversal.
            let width = 93, height = count / width
            for allowAVX2 in [false, true] {
                var tiled = [Float](repeating: -1, count: width * height * 2)
                input.withUnsafeBufferPointer { x in
                    tiled.withUnsafeMutableBufferPointer { out in
                        forest.flat.predict(x.baseAddress!, width: width, rows: height, featureCount: f,
                                            into: out.baseAddress!, allowAVX2: allowAVX2)
                    }
                }
                #expect(tiled == Array(slow.prefix(width * height * 2)), "allowAVX2: \(allowAVX2)")
            }
        }
    }

    @Test func bandedPredictionOfARegionEqualsPredictingItsFeatureImage() throws {
        // 2D: the phantom's forest on an off-centre region (ragged against the 8-row bands).
        let (image, _, _) = phantom()
        let (forest, _) = try trainedForest()
        let bank = try FeatureBank(spec: forest.spec)
        let region = Box(z: 0..<1, y: 7..<90, x: 3..<77)
        let block = AnyBlock(image)
        #expect(try forest.probabilities(of: block, in: region).values
                == forest.probabilities(for: bank.features(of: block, in: region)).values)

        // 3D: a forest on volumetric features of a noisy ball, region away from every face.
        let shape = Shape(z: 20, y: 30, x: 28)
        var rng = SeededGenerator(seed: 3)
        var voxels = [UInt8](repeating: 0, count: shape.voxelCount)
        var labels = [UInt8](repeating: 0, count: shape.voxelCount)
        for z in 0..<shape.z { for y in 0..<shape.y { for x in 0..<shape.x {
            let d = Double((z - 10) * (z - 10) + (y - 15) * (y - 15) + (x - 14) * (x - 14)).squareRoot()
            let i = shape.offset(z: z, y: y, x: x)
            voxels[i] = UInt8(clamping: (d < 8 ? 170 : 80) + rng.below(60) - 30)
            if rng.below(10) == 0 { labels[i] = d < 8 ? 1 : 2 }
        } } }
        let volume = AnyBlock(Block(shape: shape, elements: voxels))
        let spec3 = FeatureSpec.basic(sigmaMin: 1, sigmaMax: 2, dimensionality: .volumetric)
        let bank3 = try FeatureBank(spec: spec3)
        let forest3 = try RandomForest.train(on: TrainingSamples(features: bank3.features(of: volume), labels: labels),
                                             spec: spec3, configuration: smallForest)
        let inner = Box(z: 3..<17, y: 4..<27, x: 5..<22)
        #expect(try forest3.probabilities(of: volume, in: inner).values
                == forest3.probabilities(for: bank3.features(of: volume, in: inner)).values)

        // ilastik's bank with the raw feature and a hole in its grid, through the same banded path.
        for dimensionality in [FeatureSpec.Dimensionality.planar, .volumetric] {
            var spec = FeatureSpec.ilastik(sigmas: [0.7, 1.6], dimensionality: dimensionality, includesRaw: true)
            spec.omitted = [.init(.differenceOfGaussians, at: 0.7)]
            let bankI = try FeatureBank(spec: spec)
            let forestI = try RandomForest.train(on: TrainingSamples(features: bankI.features(of: volume), labels: labels),
                                                 spec: spec, configuration: smallForest)
            #expect(try forestI.probabilities(of: volume, in: inner).values
                    == forestI.probabilities(for: bankI.features(of: volume, in: inner)).values)
        }
    }

    @Test func serialisationRoundTrips() throws {
        let (forest, features) = try trainedForest()
        let data = forest.serialized()
        let loaded = try RandomForest(data: data)
        #expect(loaded == forest)
        #expect(loaded.spec == forest.spec)
        #expect(loaded.spec.normalization == .dtypeRange)
        #expect(loaded.probabilities(for: features).values == forest.probabilities(for: features).values)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("trowel-\(UUID().uuidString).forest")
        defer { try? FileManager.default.removeItem(at: url) }
        try forest.write(to: url)
        #expect(try RandomForest(contentsOf: url) == forest)
    }

    @Test func corruptModelFilesAreRejectedWithAClearError() throws {
        let (forest, _) = try trainedForest()
        let data = forest.serialized()
        func reason(_ bytes: Data) -> ModelFileError.Reason? {
            do {
                _ = try RandomForest(data: bytes, name: "model.forest")
                return nil
            } catch let error as ModelFileError {
                return error.reason
            } catch {
                return .unreadable("\(error)")
            }
        }
        #expect(reason(data.prefix(data.count / 2)) == .truncated(expected: data.count, found: data.count / 2))
        #expect(reason(data.prefix(20)) == .truncated(expected: 32, found: 20))
        #expect(reason(data + Data([0])) == .truncated(expected: data.count, found: data.count + 1))
        var flipped = data
        flipped[data.count / 2] ^= 0x40
        #expect(reason(flipped) == .checksumMismatch)
        var version = data
        version[8] = 9
        #expect(reason(version) == .unsupportedVersion(found: 9, supported: 2))
        #expect(reason(Data("hello, not a model".utf8)) == .notAModel)
        let error = ModelFileError(file: "model.forest", reason: .truncated(expected: 81234, found: 4096))
        #expect(error.description == "model.forest: truncated file (expected 81234 bytes, found 4096)")
        // A consistent file (good checksum) whose root links outside its tree is refused, not trusted.
        var broken = data
        let jsonLength = Int(broken[32]) | Int(broken[33]) << 8 | Int(broken[34]) << 16 | Int(broken[35]) << 24
        let rootLeft = 32 + 4 + jsonLength + 4 + 8
        for i in 0..<4 { broken[rootLeft + i] = i == 3 ? 0x7f : 0xff }
        let sum = ForestFile.checksum(broken[32...])
        for i in 0..<8 { broken[24 + i] = UInt8(truncatingIfNeeded: sum >> (8 * UInt64(i))) }
        #expect(reason(broken) == .malformed("tree 0 node 0: bad link or feature"))
    }

    @Test func binsCoverSparseRangesAsWellAsDenseOnes() {
        // 95 % of the samples in [0, 0.5), 5 % spread over [0.5, 1], like soft tissue and bone in HU.
        let n = 20_000
        var values = [Float](repeating: 0, count: n)
        for i in 0..<n {
            values[i] = i < n * 95 / 100 ? 0.5 * Float(i) / Float(n * 95 / 100)
                                           : 0.5 + 0.5 * Float(i - n * 95 / 100) / Float(n - n * 95 / 100)
        }
        let binning = values.withUnsafeBufferPointer { FeatureBinning(samples: $0, count: n, featureCount: 1) }
        let e = binning.edges[0]
        #expect(e.count <= 255 && zip(e, e.dropFirst()).allSatisfy { $0 < $1 })
        // Quantile edges alone would leave about 13 bins for the sparse half; even ones add 64.
        let sparse = e.filter { $0 > 0.5 }
        #expect(sparse.count >= 64)
        // Evenly spaced candidates 1/128 apart, each snapped to a gap between samples (0.0005 apart here).
        #expect(zip(sparse, sparse.dropFirst()).allSatisfy { $1 - $0 <= 1.0 / 128 + 0.001 })
        // A feature with few distinct values keeps every midpoint.
        let few: [Float] = (0..<1000).map { Float($0 % 7) }
        let fewBins = few.withUnsafeBufferPointer { FeatureBinning(samples: $0, count: 1000, featureCount: 1) }
        #expect(fewBins.edges[0] == [0.5, 1.5, 2.5, 3.5, 4.5, 5.5])
    }

    @Test func stratifiedCapKeepsEveryClass() throws {
        var features: [Float] = []
        var labels: [UInt8] = []
        for i in 0..<5000 {
            let rare = i % 50 == 0
            labels.append(rare ? 3 : 1)
            features += [Float(rare ? 1 : 0) + Float(i % 7) * 0.01, Float(i % 13)]
        }
        let spec = FeatureSpec(filters: [.intensity, .edges], sigmas: [1])
        let forest = try RandomForest.train(on: TrainingSamples(featureCount: 2, features: features, labels: labels), spec: spec,
                                            configuration: ForestConfiguration(treeCount: 5, maxSamples: 500))
        #expect(forest.classes.map(\.id) == [1, 3])
        let p = forest.probabilities(forRows: [1, 0, 0, 0], count: 2)
        #expect(p[1] > 0.9 && p[2] > 0.9)
        #expect(throws: TrainingError.noSamples) {
            try RandomForest.train(on: TrainingSamples(featureCount: 2, features: [], labels: []), spec: spec)
        }
    }

    @Test func uncertaintyIsTheEnsembleMargin() {
        let p = ClassProbabilities(shape: Shape(z: 1, y: 1, x: 3), classes: [ClassInfo(id: 1, name: "a"), ClassInfo(id: 2, name: "b"), ClassInfo(id: 5, name: "c")],
                                   values: [0.8, 0.1, 0.1, 0.4, 0.4, 0.2, 0.1, 0.3, 0.6])
        let u = p.uncertainty.elements
        #expect(abs(u[0] - 0.3) < 1e-6 && abs(u[1] - 1) < 1e-6 && abs(u[2] - 0.7) < 1e-6)
        #expect(p.labels.elements == [1, 1, 5])
    }
}

/// Decision weights scale each class's probability and renormalise; the model file keeps them.
@Suite struct DecisionWeightTests {
    @Test func weightsMoveProbabilitiesAndSurviveTheFile() throws {
        let (forest, features) = try trainedForest()
        let weighted = try forest.deciding(with: [3, 1])
        let plain = forest.probabilities(for: features).values
        let moved = weighted.probabilities(for: features).values
        for i in stride(from: 0, to: plain.count, by: 2) where plain[i] + plain[i + 1] > 0 {
            let expected = 3 * plain[i] / (3 * plain[i] + plain[i + 1])
            #expect(abs(moved[i] - expected) < 1e-5)
            #expect(abs(moved[i] + moved[i + 1] - 1) < 1e-5)
        }
        let loaded = try RandomForest(data: weighted.serialized(), name: "weighted.forest")
        #expect(loaded == weighted)
        #expect(loaded.decisionWeights == [3, 1])
        #expect(loaded != forest)
        // Without weights the file is as before: no decision key in the header.
        #expect(!String(decoding: forest.serialized(), as: UTF8.self).contains("decisionWeights"))
        #expect(throws: TrainingError.self) { try forest.deciding(with: [1]) }
        #expect(throws: TrainingError.self) { try forest.deciding(with: [0, 1]) }
    }
}
