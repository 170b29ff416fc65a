/// Grows one decision tree on pre-binned samples: Gini impurity, bootstrap weights, a random subset
/// of features per split, split search by per-node histograms over the byte bins (no sorting).
struct TreeBuilder {
    /// Bins, feature-major (`binned[f * sampleCount + i]`).
    let binned: SharedReadPointer<UInt8>
    /// Class index (0..<classCount) per sample.
    let classes: SharedReadPointer<UInt8>
    let sampleCount: Int
    let featureCount: Int
    let classCount: Int
    let binning: FeatureBinning
    let classWeights: [Double]
    let configuration: ForestConfiguration

    /// What one tree yields besides its nodes.
    struct Result {
        var tree: DecisionTree
        /// Times each sample was drawn (0 = out of bag).
        var drawn: [UInt16]
        /// Weighted impurity decrease per feature.
        var importances: [Double]
    }

    func build(treeIndex: Int) -> Result {
        var rng = SeededGenerator(seed: configuration.seed, stream: UInt64(treeIndex))
        let n = sampleCount, k = classCount, fCount = featureCount
        var drawn = [UInt16](repeating: configuration.bootstrap ? 0 : 1, count: n)
        if configuration.bootstrap {
            for _ in 0..<n {
                let i = rng.below(n)
                if drawn[i] < UInt16.max { drawn[i] += 1 }
            }
        }
        var weight = [Double](repeating: 0, count: n)
        var indices: [Int32] = []
        indices.reserveCapacity(n)
        for i in 0..<n where drawn[i] > 0 {
            weight[i] = Double(drawn[i]) * classWeights[Int(classes[i])]
            indices.append(Int32(i))
        }

        var feature: [Int32] = [0]
        var threshold: [Float] = [.infinity]
        var left: [Int32] = [0]
        var values = [Float](repeating: 0, count: k)
        var importances = [Double](repeating: 0, count: fCount)
        var deepest = 0

        let mtry = configuration.featuresPerSplit(for: fCount)
        let minLeaf = max(1, configuration.minSamplesLeaf)
        let minSplit = max(2, configuration.minSamplesSplit, 2 * minLeaf)
        var order = Array(0..<fCount)
        var histogram = [Double](repeating: 0, count: 256 * k)
        var binSamples = [Int32](repeating: 0, count: 256)
        var bestHistogramLeft = [Double](repeating: 0, count: k)
        var totals = [Double](repeating: 0, count: k)
        var running = [Double](repeating: 0, count: k)

        // Depth-first over (node, range of `indices`, depth).
        var stack: [(node: Int, start: Int, end: Int, depth: Int)] = [(0, 0, indices.count, 0)]
        weight.withUnsafeBufferPointer { w in
            indices.withUnsafeMutableBufferPointer { idx in
                while let (node, start, end, depth) = stack.popLast() {
                    deepest = max(deepest, depth)
                    for c in 0..<k { totals[c] = 0 }
                    for i in start..<end {
                        let s = Int(idx[i])
                        totals[Int(classes[s])] += w[s]
                    }
                    let total = totals.reduce(0, +)
                    for c in 0..<k { values[node * k + c] = total > 0 ? Float(totals[c] / total) : 0 }
                    let m = end - start
                    let present = totals.reduce(0) { $0 + ($1 > 0 ? 1 : 0) }
                    if depth >= configuration.maxDepth || m < minSplit || present <= 1 || total <= 0 { continue }

                    // Search √F random features (more if some are constant here) for the best Gini split.
                    var parentScore = 0.0
                    for c in 0..<k { parentScore += totals[c] * totals[c] }
                    parentScore /= total
                    var bestScore = parentScore + 1e-12 * total
                    var bestFeature = -1, bestBin = 0
                    var tried = 0
                    var j = 0
                    while j < fCount && tried < mtry {
                        let r = j + rng.below(fCount - j)
                        order.swapAt(j, r)
                        let f = order[j]
                        j += 1
                        let bins = binning.binCount(f)
                        for b in 0..<(bins * k) { histogram[b] = 0 }
                        for b in 0..<bins { binSamples[b] = 0 }
                        let column = binned + f * n
                        histogram.withUnsafeMutableBufferPointer { h in
                            binSamples.withUnsafeMutableBufferPointer { counts in
                                for i in start..<end {
                                    let s = Int(idx[i])
                                    let b = Int(column[s])
                                    h[b * k + Int(classes[s])] += w[s]
                                    counts[b] += 1
                                }
                            }
                        }
                        // Constant features (one occupied bin) do not count as tried.
                        var occupied = 0
                        for b in 0..<bins where binSamples[b] > 0 { occupied += 1 }
                        if occupied < 2 { continue }
                        tried += 1
                        for c in 0..<k { running[c] = 0 }
                        var leftCount = 0
                        var previous = -1
                        for b in 0..<bins where binSamples[b] > 0 {
                            if previous >= 0 && leftCount >= minLeaf && m - leftCount >= minLeaf {
                                var wl = 0.0, sl = 0.0, sr = 0.0
                                for c in 0..<k { wl += running[c] }
                                let wr = total - wl
                                if wl > 0 && wr > 0 {
                                    for c in 0..<k {
                                        sl += running[c] * running[c]
                                        let rc = totals[c] - running[c]
                                        sr += rc * rc
                                    }
                                    let score = sl / wl + sr / wr
                                    if score > bestScore {
                                        bestScore = score
                                        bestFeature = f
                                        // Threshold in the middle of the empty bins between the two sides.
                                        bestBin = (previous + b - 1) / 2
                                        for c in 0..<k { bestHistogramLeft[c] = running[c] }
                                    }
                                }
                            }
                            for c in 0..<k { running[c] += histogram[b * k + c] }
                            leftCount += Int(binSamples[b])
                            previous = b
                        }
                    }
                    if bestFeature < 0 { continue }

                    // Gini decrease, weighted as scikit-learn's feature_importances_.
                    var wl = 0.0
                    for c in 0..<k { wl += bestHistogramLeft[c] }
                    let wr = total - wl
                    var gl = 1.0, gr = 1.0, gp = 1.0
                    for c in 0..<k {
                        let pl = bestHistogramLeft[c] / wl, pr = (totals[c] - bestHistogramLeft[c]) / wr, pp = totals[c] / total
                        gl -= pl * pl
                        gr -= pr * pr
                        gp -= pp * pp
                    }
                    importances[bestFeature] += total * gp - wl * gl - wr * gr

                    // Partition the node's samples: bin ≤ bestBin go left.
                    let column = binned + bestFeature * n
                    let split = UInt8(bestBin)
                    var lo = start, hi = end - 1
                    while lo <= hi {
                        if column[Int(idx[lo])] <= split {
                            lo += 1
                        } else {
                            idx.swapAt(lo, hi)
                            hi -= 1
                        }
                    }
                    let child = feature.count
                    feature[node] = Int32(bestFeature)
                    threshold[node] = binning.edges[bestFeature][bestBin]
                    left[node] = Int32(child)
                    for c in [child, child + 1] {
                        feature.append(0)
                        threshold.append(.infinity)
                        left.append(Int32(c))
                        values.append(contentsOf: repeatElement(0, count: k))
                    }
                    // Right pushed first so the left subtree is built first.
                    stack.append((child + 1, lo, end, depth + 1))
                    stack.append((child, start, lo, depth + 1))
                }
            }
        }
        let tree = DecisionTree(feature: feature, threshold: threshold, left: left, values: values, depth: deepest)
        return Result(tree: tree, drawn: drawn, importances: importances)
    }
}
