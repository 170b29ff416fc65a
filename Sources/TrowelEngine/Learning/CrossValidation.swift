import TrowelML
import TrowelVolume

/// Leakage-aware cross-validation of a forest on labelled voxels: whole groups (annotated slices)
/// are held out, and no training voxel lies within the feature radius of a held-out voxel, so a
/// score never comes from voxels whose features overlap the training data.
public enum CrossValidation {
    /// One fold: the voxels it scores and the voxels its forest learns from (indices into the set).
    public struct Fold: Sendable, Equatable {
        /// Held-out voxels that are scored (accepted proposals excluded).
        public var heldOut: [Int]
        /// Voxels of other groups farther than the gap from every voxel of this fold's groups.
        public var training: [Int]
        /// Every voxel of this fold's groups, scored or not (autocontext predicts their surroundings).
        public var members: [Int] = []

        public init(heldOut: [Int], training: [Int], members: [Int] = []) {
            self.heldOut = heldOut
            self.training = training
            self.members = members
        }
    }

    /// The folds for `set`: groups (slices) dealt to `folds` folds in order; with a single group, the
    /// labelled region is cut into `folds` strips along its longer in-plane side. Training voxels
    /// within Chebyshev distance `gap` in the plane and `sliceGap` (default `gap`) across slices of
    /// any voxel of the fold are dropped. Nil when fewer than two folds can be formed.
    public static func plan(_ set: LabelledSet, gap: Int, sliceGap: Int? = nil, folds: Int = 3) -> [Fold]? {
        guard folds >= 2, !set.isEmpty else { return nil }
        let foldOf: [Int]
        let foldCount: Int
        let groups = Array(Set(set.groups)).sorted()
        if groups.count >= 2 {
            foldCount = min(folds, groups.count)
            var rank: [Int: Int] = [:]
            for (i, g) in groups.enumerated() { rank[g] = i % foldCount }
            foldOf = set.groups.map { rank[$0]! }
        } else {
            // Spatial blocks: strips across the longer side of the labelled region.
            let ys = set.voxels.map(\.y), xs = set.voxels.map(\.x)
            let (y0, y1, x0, x1) = (ys.min()!, ys.max()!, xs.min()!, xs.max()!)
            let alongY = y1 - y0 >= x1 - x0
            let lo = alongY ? y0 : x0
            let extent = (alongY ? y1 - y0 : x1 - x0) + 1
            foldCount = min(folds, extent)
            guard foldCount >= 2 else { return nil }
            foldOf = set.voxels.map { v in ((alongY ? v.y : v.x) - lo) * foldCount / extent }
        }
        let across = sliceGap ?? gap
        var out: [Fold] = []
        for f in 0..<foldCount {
            let members = set.voxels.indices.filter { foldOf[$0] == f }
            let zone = Neighbourhood(of: members.map { set.voxels[$0] }, gap: gap, sliceGap: across)
            let training = set.voxels.indices.filter { foldOf[$0] != f && !zone.contains(set.voxels[$0]) }
            out.append(Fold(heldOut: members.filter { set.scored[$0] }, training: training, members: members))
        }
        return out
    }

    /// Leakage-aware folds: groups = annotated slices (or tasks); with a single slice, spatial blocks;
    /// training voxels within `gap` (feature radius, in voxels) of any held-out voxel are dropped from
    /// that fold's training set (`sliceGap` across slices, default `gap`). Each fold trains a forest
    /// with `configuration` and predicts its held-out voxels; the metrics pool all folds' predictions.
    /// Nil when fewer than 2 groups or blocks / classes, or no fold had anything to train on.
    public static func evaluate(_ set: LabelledSet, features: [Float], featureCount: Int, spec: FeatureSpec,
                                configuration: ForestConfiguration, classes: [ClassInfo], gap: Int,
                                sliceGap: Int? = nil, folds: Int = 3,
                                progress: (Double) -> Void = { _ in },
                                isCancelled: () -> Bool = { false }) throws -> Metrics? {
        try predictHeldOut(set, features: features, featureCount: featureCount, spec: spec, configuration: configuration,
                           classes: classes, gap: gap, sliceGap: sliceGap, folds: folds, progress: progress,
                           isCancelled: isCancelled)?.metrics
    }

    /// The folds of `evaluate`, with each fold forest's probabilities for its held-out voxels kept
    /// (nil where `evaluate` gives nil).
    public static func predictHeldOut(_ set: LabelledSet, features: [Float], featureCount: Int, spec: FeatureSpec,
                                      configuration: ForestConfiguration, classes: [ClassInfo], gap: Int,
                                      sliceGap: Int? = nil, folds: Int = 3,
                                      progress: (Double) -> Void = { _ in },
                                      isCancelled: () -> Bool = { false }) throws -> HeldOutPredictions? {
        precondition(features.count == set.count * featureCount, "CrossValidation: features do not match the voxels")
        let present = Set(set.labels.map(Int.init))
        guard present.count >= 2, let plan = plan(set, gap: gap, sliceGap: sliceGap, folds: folds) else { return nil }
        var predictions = HeldOutPredictions(classes: present.sorted())
        predictions.labelled = set
        for (k, fold) in plan.enumerated() {
            if isCancelled() { throw LearningError.cancelled }
            defer { progress(Double(k + 1) / Double(plan.count)) }
            guard !fold.training.isEmpty, !fold.heldOut.isEmpty else { continue }
            let samples = try TrainingSamples(featureCount: featureCount, features: rows(fold.training, of: features, featureCount),
                                              labels: fold.training.map { set.labels[$0] })
            let forest = try RandomForest.train(on: samples, spec: spec, classTable: classes, configuration: configuration)
            predictions.add(forest, rows: rows(fold.heldOut, of: features, featureCount), truth: fold.heldOut.map { set.labels[$0] },
                            indices: fold.heldOut, members: fold.members)
        }
        return predictions.count > 0 ? predictions : nil
    }

    /// Feature rows at `indices`, voxel-major.
    static func rows(_ indices: [Int], of features: [Float], _ f: Int) -> [Float] {
        var out = [Float](repeating: 0, count: indices.count * f)
        features.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for (j, i) in indices.enumerated() {
                    (dst.baseAddress! + j * f).update(from: src.baseAddress! + i * f, count: f)
                }
            }
        }
        return out
    }
}

/// The voxels within Chebyshev distance `gap` in the plane and `sliceGap` across slices of a set of
/// voxels: one dilated bitmap per slice (separable running-window dilation), so a membership test
/// costs a lookup per nearby slice rather than a scan of the voxels.
struct Neighbourhood {
    struct Plane {
        var y0: Int, x0: Int, height: Int, width: Int
        var bits: [Bool]

        func contains(y: Int, x: Int) -> Bool {
            let r = y - y0, c = x - x0
            return r >= 0 && r < height && c >= 0 && c < width && bits[r * width + c]
        }
    }

    let planes: [Int: Plane]
    let slices: [Int]
    let sliceGap: Int

    init(of voxels: [Index3], gap: Int, sliceGap: Int) {
        let g = max(0, gap)
        self.sliceGap = max(0, sliceGap)
        var bySlice: [Int: [Index3]] = [:]
        for v in voxels { bySlice[v.z, default: []].append(v) }
        var planes: [Int: Plane] = [:]
        for (z, members) in bySlice {
            let y0 = members.map(\.y).min()! - g, x0 = members.map(\.x).min()! - g
            let height = members.map(\.y).max()! + g + 1 - y0, width = members.map(\.x).max()! + g + 1 - x0
            var raw = [Bool](repeating: false, count: height * width)
            for v in members { raw[(v.y - y0) * width + (v.x - x0)] = true }
            planes[z] = Plane(y0: y0, x0: x0, height: height, width: width,
                              bits: Self.dilate(raw, height: height, width: width, radius: g))
        }
        self.planes = planes
        slices = planes.keys.sorted()
    }

    /// True when `v` is within the gaps of one of the voxels.
    func contains(_ v: Index3) -> Bool {
        // First slice ≥ v.z − sliceGap, by binary search.
        var lo = 0, hi = slices.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if slices[mid] < v.z - sliceGap { lo = mid + 1 } else { hi = mid }
        }
        var i = lo
        while i < slices.count, slices[i] <= v.z + sliceGap {
            if planes[slices[i]]!.contains(y: v.y, x: v.x) { return true }
            i += 1
        }
        return false
    }

    /// Square dilation by `radius` (Chebyshev), as a running window along rows then columns.
    static func dilate(_ bits: [Bool], height: Int, width: Int, radius: Int) -> [Bool] {
        if radius == 0 { return bits }
        func pass(_ input: [Bool], lines: Int, length: Int, at: (Int, Int) -> Int) -> [Bool] {
            var out = [Bool](repeating: false, count: input.count)
            var prefix = [Int](repeating: 0, count: length + 1)
            for line in 0..<lines {
                for i in 0..<length { prefix[i + 1] = prefix[i] + (input[at(line, i)] ? 1 : 0) }
                for i in 0..<length {
                    let a = max(0, i - radius), b = min(length, i + radius + 1)
                    out[at(line, i)] = prefix[b] - prefix[a] > 0
                }
            }
            return out
        }
        let rows = pass(bits, lines: height, length: width) { r, c in r * width + c }
        return pass(rows, lines: width, length: height) { c, r in r * width + c }
    }
}
