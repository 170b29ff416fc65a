import Foundation
import TrowelML
import TrowelVolume

/// Trains, evaluates and applies taxon models (see `TaxonModel`). Training splits by specimen:
/// every slice of a specimen is in exactly one partition; per taxon (stratified) a seeded shuffle
/// holds out round(testFraction × specimens), at least one, and keeps at least two for training.
public struct TaxonIdentifier: Sendable {
    public struct Options: Sendable {
        public var descriptor = SliceDescriptor()
        public var axes: [Axis] = [.z]
        public var testFraction = 0.25
        public var seed: UInt64 = 1
        public var forest = ForestConfiguration(treeCount: 100, maxDepth: 16, featuresPerSplit: nil, seed: 1)
        public init() {}
    }

    /// Probabilities of one specimen: per slice and their mean, ranked.
    public struct Prediction: Codable, Sendable {
        public struct Ranked: Codable, Sendable, Equatable {
            public var taxon: String
            public var probability: Double
            public init(taxon: String, probability: Double) {
                self.taxon = taxon
                self.probability = probability
            }
        }
        public struct Specimen: Codable, Sendable {
            public var ranked: [Ranked]
            /// Top probability minus the second (0…1).
            public var margin: Double
            public var aggregation = "mean of slice probabilities"
            public var slicesUsed: Int
            enum CodingKeys: String, CodingKey { case ranked, margin, aggregation, slicesUsed = "slices_used" }
        }
        public struct Slice: Codable, Sendable {
            public var axis: String
            public var index: Int
            public var ranked: [Ranked]
        }
        public var specimen: Specimen
        public var slices: [Slice]
    }

    public let options: Options
    public init(options: Options = Options()) { self.options = options }

    /// Descriptors of every slice (along `axes`) with enough fossil, with where they came from.
    public static func descriptors(of project: URL, descriptor: SliceDescriptor, axes: [Axis]) throws -> [(axis: Axis, index: Int, row: [Float])] {
        let volume = try MultiscaleVolume.open(at: project.appendingPathComponent(Project.volumeName))
        let threshold = try threshold(of: volume, descriptor: descriptor)
        var out: [(Axis, Int, [Float])] = []
        // One slice in memory at a time (as doubles), not the whole scan.
        for axis in axes {
            for index in 0..<volume.shape[axis] {
                if let d = try describe(volume, axis: axis, index: index, descriptor: descriptor, threshold: threshold) {
                    out.append((axis, index, d))
                }
            }
        }
        guard !out.isEmpty else { throw IdentifyError.noSlices(project.lastPathComponent) }
        return out
    }

    /// Slices the specimen's threshold is taken from (evenly spaced along z, full resolution).
    public static let thresholdSlices = 32

    /// The specimen's Otsu threshold (scikit-image's binning for its dtype) over up to
    /// `thresholdSlices` evenly spaced z-slices; nil when `descriptor` thresholds each slice alone.
    public static func threshold(of volume: MultiscaleVolume, descriptor: SliceDescriptor) throws -> Double? {
        guard descriptor.threshold == .specimen else { return nil }
        let s = volume.shape, n = min(s.z, thresholdSlices)
        let picks = (0..<n).map { ($0 * 2 + 1) * s.z / (2 * n) }
        var lo = Double.infinity, hi = -Double.infinity
        for z in picks {
            for v in try volume.read(Box.slice(axis: .z, at: z, of: s)).converted(to: Double.self).elements where v.isFinite {
                lo = min(lo, v); hi = max(hi, v)
            }
        }
        guard lo < hi else { return lo.isFinite ? lo : 0 }
        var histogram = IntensityHistogram(lower: lo, upper: hi, integral: volume.dtype.integerRange != nil, singlePrecision: volume.dtype == .f32)
        for z in picks { histogram.add(try volume.read(Box.slice(axis: .z, at: z, of: s)).converted(to: Double.self).elements) }
        return try Otsu.threshold(histogram)
    }

    /// The descriptor of one slice, or nil when it has too little fossil; `threshold` from
    /// `threshold(of:descriptor:)` (nil: the slice's own Otsu threshold).
    public static func describe(_ volume: MultiscaleVolume, axis: Axis, index: Int, descriptor: SliceDescriptor, threshold: Double?) throws -> [Float]? {
        let box = Box.slice(axis: axis, at: index, of: volume.shape)
        let plane = try volume.read(box).converted(to: Double.self)
        let (rows, cols) = axis.planeAxes
        if let t = threshold {
            return try descriptor.describe(plane.elements, height: box.shape[rows], width: box.shape[cols], threshold: t)
        }
        return try descriptor.describe(plane.elements, height: box.shape[rows], width: box.shape[cols], integral: volume.dtype.integerRange != nil)
    }

    /// The catalogue's rows, as descriptor rows with specimen and taxon indices.
    struct Table {
        var rows: [Float] = []
        var specimen: [Int] = []
        var taxon: [Int] = []
        var count: Int { specimen.count }
    }

    func table(_ catalogue: TaxonCatalogue, taxa: [String]) throws -> Table {
        // Specimens are described in parallel (each one slice at a time), then put in catalogue order.
        let entries = catalogue.entries, descriptor = options.descriptor, axes = options.axes
        let results = DescribedSpecimens(count: entries.count)
        DispatchQueue.concurrentPerform(iterations: entries.count) { s in
            guard taxa.contains(entries[s].taxon) else { return }
            results.set(s, Result { try Self.descriptors(of: entries[s].project, descriptor: descriptor, axes: axes).map(\.row) })
        }
        var t = Table()
        for (s, e) in entries.enumerated() {
            guard let k = taxa.firstIndex(of: e.taxon), let described = results.get(s) else { continue }
            for row in try described.get() {
                t.rows += row; t.specimen.append(s); t.taxon.append(k)
            }
        }
        return t
    }

    func trainForest(_ t: Table, on members: [Int], taxa: [String]) throws -> RandomForest {
        let f = options.descriptor.count
        var rows: [Float] = []
        rows.reserveCapacity(members.count * f)
        for i in members { rows += t.rows[(i * f)..<((i + 1) * f)] }
        let samples = try TrainingSamples(featureCount: f, features: rows, labels: members.map { UInt8(t.taxon[$0] + 1) })
        return try RandomForest.train(onRows: samples, classTable: taxa.enumerated().map { ClassInfo(id: UInt8($0.offset + 1), name: $0.element) },
                                      configuration: options.forest)
    }

    /// Probabilities in `taxa` order (a taxon the forest never saw gets 0).
    static func probabilities(_ forest: RandomForest, rows: [Float], count: Int, taxa: Int) -> [Float] {
        let raw = forest.probabilities(forRows: rows, count: count)
        let k = forest.classes.count
        var out = [Float](repeating: 0, count: count * taxa)
        for i in 0..<count { for (j, c) in forest.classes.enumerated() { out[i * taxa + Int(c.id) - 1] = raw[i * k + j] } }
        return out
    }

    func score(_ forest: RandomForest, _ t: Table, members: [Int], taxa: [String]) -> (slices: TaxonMetrics, specimens: TaxonMetrics) {
        let f = options.descriptor.count, k = taxa.count
        var rows: [Float] = []
        for i in members { rows += t.rows[(i * f)..<((i + 1) * f)] }
        let p = Self.probabilities(forest, rows: rows, count: members.count, taxa: k)
        let slices = TaxonMetrics(truth: members.map { t.taxon[$0] }, probabilities: p, taxa: taxa)
        var sums: [Int: [Double]] = [:], truth: [Int: Int] = [:], n: [Int: Int] = [:]
        for (j, i) in members.enumerated() {
            let s = t.specimen[i]
            var acc = sums[s] ?? [Double](repeating: 0, count: k)
            for c in 0..<k { acc[c] += Double(p[j * k + c]) }
            sums[s] = acc; truth[s] = t.taxon[i]; n[s, default: 0] += 1
        }
        let ids = sums.keys.sorted()
        let sp = ids.flatMap { s in sums[s]!.map { Float($0 / Double(n[s]!)) } }
        return (slices, TaxonMetrics(truth: ids.map { truth[$0]! }, probabilities: sp, taxa: taxa))
    }

    /// Trains on the training specimens and scores the held-out ones; also trains and scores the same
    /// forest on a random slice-level split of the same size, to show what leakage would claim.
    public func train(_ catalogue: TaxonCatalogue) throws -> TaxonModel {
        let name = catalogue.file.lastPathComponent
        let taxa = catalogue.taxa
        guard taxa.count >= 2 else { throw IdentifyError.oneTaxon(name) }
        let few = taxa.filter { t in catalogue.entries.filter { $0.taxon == t }.count < 3 }
        guard few.isEmpty else { throw IdentifyError.tooFewSpecimens(name, few) }
        var rng = SplitRandom(state: options.seed &* 0x9E3779B97F4A7C15 &+ 7)
        var heldOut = Set<Int>()
        for t in taxa {
            var members = catalogue.entries.indices.filter { catalogue.entries[$0].taxon == t }
            for j in 0..<members.count { members.swapAt(j, j + rng.below(members.count - j)) }
            let hold = min(members.count - 2, max(1, Int((Double(members.count) * options.testFraction).rounded())))
            heldOut.formUnion(members.prefix(hold))
        }
        let t = try table(catalogue, taxa: taxa)
        let trainRows = (0..<t.count).filter { !heldOut.contains(t.specimen[$0]) }
        let testRows = (0..<t.count).filter { heldOut.contains(t.specimen[$0]) }
        let forest = try trainForest(t, on: trainRows, taxa: taxa)
        let (slices, specimens) = score(forest, t, members: testRows, taxa: taxa)

        // The leaky comparison: the same number of test slices drawn at random from all slices.
        var order = Array(0..<t.count)
        for j in 0..<order.count { order.swapAt(j, j + rng.below(order.count - j)) }
        let leakyTest = Array(order.prefix(testRows.count)).sorted(), leakyTrain = Array(order.dropFirst(testRows.count)).sorted()
        let leaky = score(try trainForest(t, on: leakyTrain, taxa: taxa), t, members: leakyTest, taxa: taxa).slices

        let header = TaxonModel.Header(
            version: TaxonModel.version, descriptor: options.descriptor, axes: options.axes.map(\.description), taxa: taxa,
            trainSpecimens: catalogue.entries.indices.filter { !heldOut.contains($0) }.map { catalogue.entries[$0].name },
            heldOutSpecimens: catalogue.entries.indices.filter { heldOut.contains($0) }.map { catalogue.entries[$0].name },
            seed: options.seed, testFraction: options.testFraction, metrics: slices, specimenMetrics: specimens,
            sliceSplitMetrics: leaky, createdAt: Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down)))
        return TaxonModel(header: header, forest: forest)
    }

    /// Scores `model` on every specimen of `catalogue` (slices, and specimens by mean probability).
    public static func evaluate(_ model: TaxonModel, on catalogue: TaxonCatalogue) throws -> (slices: TaxonMetrics, specimens: TaxonMetrics) {
        let unknown = catalogue.taxa.filter { !model.header.taxa.contains($0) }
        guard unknown.isEmpty else { throw IdentifyError.unknownTaxa(catalogue.file.lastPathComponent, unknown) }
        var o = Options()
        o.descriptor = model.header.descriptor
        o.axes = model.header.axes.compactMap { ["z": Axis.z, "y": .y, "x": .x][$0] }
        let id = TaxonIdentifier(options: o)
        let t = try id.table(catalogue, taxa: model.header.taxa)
        return id.score(model.forest, t, members: Array(0..<t.count), taxa: model.header.taxa)
    }

    /// Per-taxon probabilities of one specimen.
    public static func predict(_ model: TaxonModel, project: URL) throws -> Prediction {
        let axes = model.header.axes.compactMap { ["z": Axis.z, "y": .y, "x": .x][$0] }
        let d = try descriptors(of: project, descriptor: model.header.descriptor, axes: axes)
        let taxa = model.header.taxa, k = taxa.count
        let p = probabilities(model.forest, rows: d.flatMap(\.row), count: d.count, taxa: k)
        let r = ranked(mean(p, taxa: k), taxa: taxa)
        return Prediction(
            specimen: .init(ranked: r, margin: r[0].probability - (r.count > 1 ? r[1].probability : 0), slicesUsed: d.count),
            slices: d.enumerated().map { i, s in
                .init(axis: s.axis.description, index: s.index, ranked: ranked((0..<k).map { Double(p[i * k + $0]) }, taxa: taxa))
            })
    }

    /// A specimen's probabilities: the mean of its slices' (`taxa` values per slice). A fossil-
    /// weighted mean was tried and scored the same on generated specimens, so the plain mean stays.
    public static func mean(_ probabilities: [Float], taxa k: Int) -> [Double] {
        let n = probabilities.count / max(1, k)
        var mean = [Double](repeating: 0, count: k)
        for i in 0..<n { for c in 0..<k { mean[c] += Double(probabilities[i * k + c]) } }
        return n > 0 ? mean.map { $0 / Double(n) } : mean
    }

    /// `probabilities` (one per taxon, in `taxa` order) ranked, most probable first (ties by order).
    public static func ranked(_ probabilities: [Double], taxa: [String]) -> [Prediction.Ranked] {
        probabilities.indices.sorted { probabilities[$0] > probabilities[$1] || (probabilities[$0] == probabilities[$1] && $0 < $1) }
            .map { Prediction.Ranked(taxon: taxa[$0], probability: probabilities[$0]) }
    }
}

/// Each specimen's descriptor rows (or why they could not be made), filled by parallel workers.
private final class DescribedSpecimens: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [Result<[[Float]], Error>?]

    init(count: Int) { results = Array(repeating: nil, count: count) }

    func set(_ i: Int, _ r: Result<[[Float]], Error>) {
        lock.lock()
        results[i] = r
        lock.unlock()
    }

    func get(_ i: Int) -> Result<[[Float]], Error>? {
        lock.lock()
        defer { lock.unlock() }
        return results[i]
    }
}

/// The split's seeded shuffle (64-bit LCG): the same seed holds out the same specimens.
private struct SplitRandom {
    var state: UInt64
    mutating func below(_ n: Int) -> Int {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Int((state >> 33) % UInt64(n))
    }
}
