import Foundation
import TrowelVolume

/// A random forest classifier over pixel features: trains in parallel over trees on byte-binned
/// features, predicts class probabilities for whole blocks, and carries the feature specification
/// and class table it was trained with, so a saved model is self-describing.
public struct RandomForest: Sendable {
    /// The features the forest expects, in order.
    public let spec: FeatureSpec
    /// The classes it predicts; probability k is for `classes[k]`.
    public let classes: [ClassInfo]
    public let configuration: ForestConfiguration
    /// Mean decrease in Gini impurity per feature, normalised to sum 1 (scikit-learn's `feature_importances_`).
    public let importances: [Double]
    /// Out-of-bag misclassification rate: optimistic (neighbouring voxels are not independent), nil
    /// when no sample was ever left out.
    public let oobError: Double?
    /// The earlier stage whose probabilities this forest also reads (autocontext), nil for one stage.
    public let context: Autocontext?
    /// Per-class factors (in the order of `classes`) the probabilities are multiplied by and
    /// renormalised with, moving the decision towards a class the trees under-call; nil for none.
    public let decisionWeights: [Float]?
    let trees: [DecisionTree]
    let flat: FlatForest

    /// Features per sample: the image features, then those of the earlier stage's probabilities.
    public var featureCount: Int { spec.featureCount + (context?.featureCount ?? 0) }
    /// Stages in the cascade this forest ends (1 without autocontext).
    public var stageCount: Int { 1 + (context?.depth ?? 0) }
    /// Names of every feature, in order.
    public var featureNames: [String] { spec.featureNames + (context?.featureNames ?? []) }

    /// Voxels of context each side a block needs for exact probabilities: the image features' halo,
    /// plus for each earlier stage the reach of its smoothed probabilities.
    public var halo: Int { spec.halo + contextReach }

    /// How far the earlier stages' predictions reach beyond a region (0 for one stage).
    public var contextReach: Int {
        guard let context else { return 0 }
        return context.spec.halo + context.stage.contextReach
    }

    /// The box to read around `box` so its probabilities come out exact: grown by `halo` along the
    /// filtered axes (z only for 3D features), clipped to `bounds`.
    public func contextBox(for box: Box, within bounds: Box) -> Box {
        Self.grow(box, by: halo, volumetric: spec.dimensionality == .volumetric, within: bounds)
    }

    static func grow(_ box: Box, by h: Int, volumetric: Bool, within bounds: Box) -> Box {
        let d = Index3(z: volumetric ? h : 0, y: h, x: h)
        return Box(lower: box.lower - d, upper: box.upper + d).intersection(bounds)
    }
    public var treeCount: Int { trees.count }
    /// Nodes over all trees.
    public var nodeCount: Int { trees.reduce(0) { $0 + $1.nodeCount } }

    init(spec: FeatureSpec, classes: [ClassInfo], configuration: ForestConfiguration,
         importances: [Double], oobError: Double?, trees: [DecisionTree], context: Autocontext? = nil,
         decisionWeights: [Float]? = nil) {
        self.spec = spec
        self.decisionWeights = decisionWeights
        self.context = context
        self.classes = classes
        self.configuration = configuration
        self.importances = importances
        self.oobError = oobError
        self.trees = trees
        self.flat = FlatForest(trees: trees, classCount: classes.count)
    }

    /// The same forest deciding with `weights` (one positive factor per class, nil for none).
    public func deciding(with weights: [Float]?) throws -> RandomForest {
        if let weights {
            guard weights.count == classes.count, weights.allSatisfy({ $0 > 0 && $0.isFinite }) else {
                throw TrainingError.invalidConfiguration("decision weights: \(weights.count) for \(classes.count) classes, each positive")
            }
        }
        return RandomForest(spec: spec, classes: classes, configuration: configuration, importances: importances,
                            oobError: oobError, trees: trees, context: context, decisionWeights: weights)
    }

    /// Applies `decisionWeights` to voxel-major probabilities in place.
    func reweight(_ values: inout [Float]) {
        guard let w = decisionWeights else { return }
        let k = w.count
        values.withUnsafeMutableBufferPointer { v in
            for i in stride(from: 0, to: v.count, by: k) {
                var sum: Float = 0
                for c in 0..<k {
                    v[i + c] *= w[c]
                    sum += v[i + c]
                }
                if sum > 0 { for c in 0..<k { v[i + c] /= sum } }
            }
        }
    }

    // MARK: - Training

    /// Trains a forest on `samples`, whose features were computed with `spec`. `classTable` names the
    /// classes (ids not in it get "class <id>"); only classes present in the samples are learnt.
    /// Deterministic: the same samples, spec and configuration give the identical forest.
    /// With `context`, each sample is the image features followed by the earlier stage's
    /// probability features (`Autocontext.features`), and the earlier stage must use `spec` too.
    public static func train(on samples: TrainingSamples, spec: FeatureSpec, context: Autocontext? = nil,
                             classTable: [ClassInfo] = [],
                             configuration: ForestConfiguration = ForestConfiguration()) throws -> RandomForest {
        guard samples.count > 0 else { throw TrainingError.noSamples }
        let expected = spec.featureCount + (context?.featureCount ?? 0)
        guard samples.featureCount == expected else {
            throw TrainingError.featureCountMismatch(samples: samples.featureCount, spec: expected)
        }
        if let context, context.stage.spec != spec {
            throw TrainingError.invalidConfiguration("an autocontext stage must use the same image features as the one before")
        }
        guard configuration.treeCount > 0 else { throw TrainingError.invalidConfiguration("tree count must be positive") }
        guard configuration.maxDepth >= 0 else { throw TrainingError.invalidConfiguration("max depth must not be negative") }
        guard configuration.maxSamples > 0 else { throw TrainingError.invalidConfiguration("sample cap must be positive") }

        let counts = samples.classCounts
        let classes = counts.map { c in classTable.first { $0.id == c.id } ?? ClassInfo(id: c.id, name: "class \(c.id)") }
        var classIndex = [UInt8](repeating: 0, count: 256)
        for (k, c) in classes.enumerated() { classIndex[Int(c.id)] = UInt8(k) }
        let f = samples.featureCount

        // Stratified cap: keep each class's share of at most maxSamples samples.
        var chosen = Array(0..<samples.count)
        if samples.count > configuration.maxSamples {
            var rng = SeededGenerator(seed: configuration.seed, stream: UInt64.max)
            var byClass = [[Int]](repeating: [], count: classes.count)
            for (i, l) in samples.labels.enumerated() { byClass[Int(classIndex[Int(l)])].append(i) }
            chosen = []
            for var members in byClass {
                let keep = max(1, Int((Double(members.count) * Double(configuration.maxSamples) / Double(samples.count)).rounded()))
                for j in 0..<min(keep, members.count) {
                    members.swapAt(j, j + rng.below(members.count - j))
                }
                chosen += members.prefix(keep)
            }
            chosen.sort()
        }
        let n = chosen.count
        var rows = [Float](repeating: 0, count: n * f)
        var labels = [UInt8](repeating: 0, count: n)
        samples.features.withUnsafeBufferPointer { src in
            rows.withUnsafeMutableBufferPointer { dst in
                for (j, i) in chosen.enumerated() {
                    (dst.baseAddress! + j * f).update(from: src.baseAddress! + i * f, count: f)
                    labels[j] = classIndex[Int(samples.labels[i])]
                }
            }
        }

        var perClass = [Int](repeating: 0, count: classes.count)
        for l in labels { perClass[Int(l)] += 1 }
        let classWeights: [Double] = perClass.map { count in
            configuration.classWeighting == .balanced ? Double(n) / (Double(classes.count) * Double(count)) : 1
        }

        let (binning, binned) = rows.withUnsafeBufferPointer { buffer in
            let binning = FeatureBinning(samples: buffer, count: n, featureCount: f)
            return (binning, binning.binned(buffer, count: n, featureCount: f))
        }

        var results = [TreeBuilder.Result?](repeating: nil, count: configuration.treeCount)
        binned.withUnsafeBufferPointer { binnedBuffer in
            labels.withUnsafeBufferPointer { labelBuffer in
                let builder = TreeBuilder(binned: SharedReadPointer(binnedBuffer), classes: SharedReadPointer(labelBuffer),
                                          sampleCount: n, featureCount: f, classCount: classes.count,
                                          binning: binning, classWeights: classWeights, configuration: configuration)
                results.withUnsafeMutableBufferPointer { out in
                    let target = SharedPointer(out)
                    Parallel.forEach(configuration.treeCount) { t in
                        target[t] = builder.build(treeIndex: t)
                    }
                }
            }
        }
        let built = results.map { $0! }

        // Importances: each tree's normalised to sum 1, averaged, normalised again (as scikit-learn).
        var importances = [Double](repeating: 0, count: f)
        for r in built {
            let sum = r.importances.reduce(0, +)
            if sum > 0 { for j in 0..<f { importances[j] += r.importances[j] / sum } }
        }
        let total = importances.reduce(0, +)
        if total > 0 { importances = importances.map { $0 / total } }

        let trees = built.map(\.tree)
        let oob = outOfBagError(trees: trees, drawn: built.map(\.drawn), rows: rows, labels: labels,
                                featureCount: f, classCount: classes.count)
        return RandomForest(spec: spec, classes: classes, configuration: configuration,
                            importances: importances, oobError: oob, trees: trees, context: context)
    }

    /// Share of samples misclassified by the trees that did not see them (nil if none was left out).
    private static func outOfBagError(trees: [DecisionTree], drawn: [[UInt16]], rows: [Float], labels: [UInt8],
                                      featureCount f: Int, classCount k: Int) -> Double? {
        let n = labels.count
        var wrong = 0, scored = 0
        var votes = [Float](repeating: 0, count: k)
        rows.withUnsafeBufferPointer { x in
            for i in 0..<n {
                for c in 0..<k { votes[c] = 0 }
                var any = false
                for (t, tree) in trees.enumerated() where drawn[t][i] == 0 {
                    let leaf = tree.leaf(for: x.baseAddress! + i * f)
                    for c in 0..<k { votes[c] += tree.values[leaf * k + c] }
                    any = true
                }
                if !any { continue }
                scored += 1
                var best = 0
                for c in 1..<max(1, k) where votes[c] > votes[best] { best = c }
                if best != Int(labels[i]) { wrong += 1 }
            }
        }
        return scored > 0 ? Double(wrong) / Double(scored) : nil
    }

    // MARK: - Prediction

    /// Class probabilities of every voxel of `features` (computed with this forest's `spec`).
    public func probabilities(for features: FeatureImage) -> ClassProbabilities {
        precondition(features.featureCount == featureCount,
                     "RandomForest: \(features.featureCount) features given, model expects \(featureCount)")
        let shape = features.shape
        var values = predict(features.values, width: shape.x, rows: shape.z * shape.y)
        reweight(&values)
        return ClassProbabilities(shape: shape, classes: classes, values: values)
    }

    /// Class probabilities of `region` of `block` (the rest of `block` is context, as for
    /// `FeatureBank.features(of:in:)`; `contextBox(for:within:)` gives what to read). Features are
    /// derived a band of rows at a time and predicted while still in cache, so the region's
    /// features never exist all at once: the memory is the smoothed volumes, and the result equals
    /// `probabilities(for:)` of the whole feature image. An autocontext cascade smooths the image
    /// once, over the widest region a stage predicts, and every stage derives its rows from that.
    /// `firstSlice` is the scan slice of the block's first slice (for per-slice normalisation).
    public func probabilities(of block: AnyBlock, in region: Box, firstSlice: Int = 0) throws -> ClassProbabilities {
        precondition(block.shape.box.contains(region), "RandomForest: region \(region) outside block \(block.shape)")
        let bank = try FeatureBank(spec: spec).startingAt(slice: firstSlice)
        let bounds = block.shape.box
        let outer = Self.grow(region, by: contextReach, volumetric: spec.dimensionality == .volumetric, within: bounds)
        let prepared = bank.prepare(block, region: outer)
        var values = stageValues(prepared, bank: bank, outer: outer, target: region, bounds: bounds)
        reweight(&values)
        return ClassProbabilities(shape: region.shape, classes: classes, values: values)
    }

    /// This stage's probabilities over `target` (block coordinates, within `outer`, the region
    /// `prepared` covers), after the earlier stages' over `target` grown by their reach.
    private func stageValues(_ prepared: FeatureBank.Scales, bank: FeatureBank, outer: Box, target: Box,
                             bounds: Box) -> [Float] {
        var extra: FeatureImage?
        if let context {
            let earlierTarget = Self.grow(target, by: context.spec.halo, volumetric: spec.dimensionality == .volumetric,
                                          within: bounds)
            let earlier = context.stage.stageValues(prepared, bank: bank, outer: outer, target: earlierTarget, bounds: bounds)
            let p = ClassProbabilities(shape: earlierTarget.shape, classes: context.stage.classes, values: earlier)
            extra = context.features(of: p, in: target.translated(by: .zero - earlierTarget.lower))
        }
        return bandPass(prepared, bank: bank, outer: outer, target: target.translated(by: .zero - outer.lower), extra: extra)
    }

    /// Predicts the voxels of `target` (relative to `outer`) a band of rows at a time: image
    /// features derived from `prepared`, followed by `extra`'s features of the same voxel.
    private func bandPass(_ prepared: FeatureBank.Scales, bank: FeatureBank, outer: Box, target: Box,
                          extra: FeatureImage?) -> [Float] {
        let os = outer.shape, ts = target.shape, k = classes.count, f = featureCount
        let fb = bank.featureCount, fe = extra?.featureCount ?? 0
        var values = [Float](repeating: 0, count: ts.voxelCount * k)
        let band = FlatForest.tileRows
        let flat = self.flat
        if extra == nil && target == os.box {
            let rows = os.z * os.y
            values.withUnsafeMutableBufferPointer { buffer in
                let out = SharedPointer(buffer)
                Parallel.forEachRange((rows + band - 1) / band, minimumChunk: 1, chunksPerCore: 8) { bands in
                    let features = UnsafeMutablePointer<Float>.allocate(capacity: max(1, band * os.x * f))
                    defer { features.deallocate() }
                    for b in bands {
                        let r0 = b * band, r1 = min(rows, r0 + band)
                        bank.derive(prepared, rows: r0..<r1, into: features)
                        flat.predict(features, width: os.x, rows: r1 - r0, featureCount: f, into: out + r0 * os.x * k)
                    }
                }
            }
            return values
        }
        // Bands of rows within one slice of the target; each derives whole rows of `outer`.
        let bandsPerSlice = (ts.y + band - 1) / band
        let extraValues = extra?.values ?? []
        values.withUnsafeMutableBufferPointer { buffer in
            extraValues.withUnsafeBufferPointer { extraBuffer in
                let out = SharedPointer(buffer)
                let ex = SharedReadPointer(extraBuffer.baseAddress ?? UnsafePointer(bitPattern: 1)!)
                Parallel.forEachRange(ts.z * bandsPerSlice, minimumChunk: 1, chunksPerCore: 8) { tasks in
                    let derived = UnsafeMutablePointer<Float>.allocate(capacity: max(1, band * os.x * fb))
                    let wide = UnsafeMutablePointer<Float>.allocate(capacity: max(1, band * ts.x * f))
                    defer {
                        derived.deallocate()
                        wide.deallocate()
                    }
                    for task in tasks {
                        let z = task / bandsPerSlice, y0 = (task % bandsPerSlice) * band, y1 = min(ts.y, y0 + band)
                        let first = (target.lower.z + z) * os.y + target.lower.y + y0
                        bank.derive(prepared, rows: first..<(first + y1 - y0), into: derived)
                        for r in 0..<(y1 - y0) {
                            let targetRow = z * ts.y + y0 + r
                            for x in 0..<ts.x {
                                let dst = wide + (r * ts.x + x) * f
                                dst.update(from: derived + (r * os.x + target.lower.x + x) * fb, count: fb)
                                if fe > 0 {
                                    (dst + fb).update(from: ex + (targetRow * ts.x + x) * fe, count: fe)
                                }
                            }
                        }
                        flat.predict(wide, width: ts.x, rows: y1 - y0, featureCount: f,
                                     into: out + (z * ts.y + y0) * ts.x * k)
                    }
                }
            }
        }
        return values
    }

    /// Class probabilities (`classes.count` per sample) of `count` feature rows, in parallel over cores.
    public func probabilities(forRows rows: [Float], count: Int) -> [Float] {
        precondition(rows.count == count * featureCount, "RandomForest: \(rows.count) values for \(count) rows")
        var values = predict(rows, width: count, rows: 1)
        reweight(&values)
        return values
    }

    /// Predicts `rows` image rows of `width` voxels, in parallel over bands of rows (or over column
    /// ranges of a single row).
    private func predict(_ x: [Float], width: Int, rows: Int) -> [Float] {
        let k = classes.count, f = featureCount
        var out = [Float](repeating: 0, count: width * rows * k)
        let flat = self.flat
        x.withUnsafeBufferPointer { xb in
            out.withUnsafeMutableBufferPointer { ob in
                let src = SharedReadPointer(xb), dst = SharedPointer(ob)
                if rows == 1 {
                    Parallel.forEachRange(width, minimumChunk: 2048, chunksPerCore: 8) { range in
                        flat.predict(src + range.lowerBound * f, width: range.count, rows: 1, featureCount: f,
                                     into: dst + range.lowerBound * k)
                    }
                } else {
                    let band = FlatForest.tileRows
                    let bands = (rows + band - 1) / band
                    Parallel.forEachRange(bands, minimumChunk: 1, chunksPerCore: 8) { range in
                        let r0 = range.lowerBound * band, r1 = min(rows, range.upperBound * band)
                        flat.predict(src + r0 * width * f, width: width, rows: r1 - r0, featureCount: f,
                                     into: dst + r0 * width * k)
                    }
                }
            }
        }
        return out
    }
}

// MARK: - Saving and loading

extension RandomForest {
    /// The forest in Trowel's versioned binary format (see `ForestFile`), with its feature
    /// specification, class table, input normalisation and training configuration.
    public func serialized() -> Data { ForestFile.encode(self) }

    /// Reads a forest written by `serialized()`. Throws `ModelFileError` for another format version,
    /// a truncated or corrupted file, or content that is not a valid forest.
    public init(data: Data, name: String = "model") throws {
        self = try ForestFile.decode(data, file: name)
    }

    /// Reads a forest from a `.forest` file.
    public init(contentsOf url: URL) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ModelFileError(file: url.lastPathComponent, reason: .unreadable(error.localizedDescription))
        }
        try self.init(data: data, name: url.lastPathComponent)
    }

    /// Writes the forest atomically (a crash never leaves half a model).
    public func write(to url: URL) throws {
        try serialized().write(to: url, options: .atomic)
    }
}

extension RandomForest: Equatable {
    /// Same spec, classes, configuration and identical trees.
    public static func == (a: RandomForest, b: RandomForest) -> Bool {
        a.spec == b.spec && a.classes == b.classes && a.configuration == b.configuration
            && a.trees == b.trees && a.importances == b.importances && a.oobError == b.oobError
            && a.context?.stage == b.context?.stage && a.context?.spec == b.context?.spec
            && a.decisionWeights == b.decisionWeights
    }
}
