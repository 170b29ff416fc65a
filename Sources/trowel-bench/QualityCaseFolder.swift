import Foundation
import TrowelEngine
import TrowelML
import TrowelVolume

/// One quality case on disk: `meta.json`, `scan.raw` (little-endian, z-y-x, `dtype`), `labels.u8`
/// (sparse training labels, 0 = unlabelled) and `truth.u8` (1 = target, other ids = not target,
/// 0 = not scored). Written by the hard-fossil suite and by `Scripts/make-real-quality-scans.py`;
/// read by this benchmark and by `Scripts/reference-quality.py`.
struct QualityCaseFolder {
    typealias Meta = QualityCase.Meta

    let folder: URL
    let meta: Meta

    var shape: Shape { meta.shape }

    init(folder: URL) throws {
        self.folder = folder
        let url = folder.appendingPathComponent("meta.json")
        do {
            meta = try JSONDecoder().decode(Meta.self, from: Data(contentsOf: url))
        } catch {
            throw BenchError("\(url.path): not a quality case (\(error))")
        }
    }

    /// `url` itself when it is a case, else the cases directly inside it, sorted by name.
    static func folders(in url: URL) throws -> [URL] {
        let fm = FileManager.default
        if fm.fileExists(atPath: url.appendingPathComponent("meta.json").path) { return [url] }
        let inside = try fm.contentsOfDirectory(at: url, includingPropertiesForKeys: nil)
            .filter { fm.fileExists(atPath: $0.appendingPathComponent("meta.json").path) }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        guard !inside.isEmpty else { throw BenchError("\(url.path): no meta.json in it or in its folders") }
        return inside
    }

    var dtype: DType {
        get throws {
            guard let d = meta.elementType else {
                throw BenchError("\(folder.path)/meta.json: dtype \(meta.dtype) is not a numpy type Trowel reads")
            }
            return d
        }
    }

    /// Converts the scan into a fresh project under `work` and imports the training labels.
    func prepareProject(in work: URL) throws -> QualityEvaluation {
        let url = work.appendingPathComponent("\(meta.name).trowel")
        try? FileManager.default.removeItem(at: url)
        let scan = try RawVolume(file: folder.appendingPathComponent("scan.raw"), shape: shape, dtype: try dtype)
        let (project, _) = try ProjectBuilder().build(from: scan, at: url)
        let labels = try RawVolume(file: folder.appendingPathComponent("labels.u8"), shape: shape, dtype: .u8)
        try LabelImport(project: project, author: "quality").run(from: labels, file: "labels.u8", mapping: .classIDs)
        let truth = try BenchSupport.readBytes(folder.appendingPathComponent("truth.u8").path, count: shape.voxelCount)
        return QualityEvaluation(project: project, volume: try MultiscaleVolume.open(at: project.volumeURL),
                                 truth: truth, shape: shape, target: UInt8(meta.targetClass), scored: meta.scoredSlices)
    }
}

/// A case's project with its labels, and the truth its predictions are scored against.
struct QualityEvaluation {
    let project: Project
    let volume: MultiscaleVolume
    let truth: [UInt8]
    let shape: Shape
    let target: UInt8
    let scored: [Int]

    /// Trains `recipe` as `trowel train` does (with its held-out scores), predicts the scored
    /// slices and returns the F1 of the target class there (voxels whose truth is 0 are skipped).
    func score(_ recipe: TrainingRecipe) throws -> RecipeResult {
        try score(TrainingRun(project: project, volume: volume, recipe: recipe), named: recipe.name)
    }

    /// `run` trained, predicted over the scored slices and scored; `started` is when its clock began.
    private func score(_ run: TrainingRun, named name: String, started: Date = Date()) throws -> RecipeResult {
        let training = Date()
        let (forest, record) = try run.run()
        return try score(forest, record: record, named: name, started: started, trainingSeconds: Date().timeIntervalSince(training))
    }

    /// `forest` (trained as `record` says, mixing in `prior` if given) predicted over the scored slices and scored.
    private func score(_ forest: RandomForest, record: ModelRecord, prior: WalkerPrior.Applied? = nil, named name: String,
                       started: Date, trainingSeconds: Double) throws -> RecipeResult {
        let prediction = Date()
        let weights = record.decision.map { d in
            (d.adopted ? d.weights.sorted { $0.key < $1.key }.map { String(format: "%d×%.2f", $0.key, $0.value) }.joined(separator: " ")
                       : "argmax") + String(format: " (held-out %.4f, tuned %.4f)", d.plainScore, d.tunedScore)
        }
        let walker = record.walkerPrior.map { w in
            String(format: "walker %.1f (folds %@; held-out %.4f, tuned %.4f, %@)", w.weight,
                   w.foldWeights.map { String(format: "%.1f", $0) }.joined(separator: " "), w.plainScore, w.tunedScore,
                   w.adopted ? "adopted" : "refused")
        }
        let decision = [walker, weights].compactMap { $0 }.joined(separator: "; ")
        let predictor = Predictor(forest: forest, volume: volume, prior: prior)
        let (f1, precision, recall) = try tally { box in try predictor.labels(box).elements }
        return RecipeResult(recipe: name, f1: f1, precision: precision, recall: recall,
                            heldOutF1: record.metrics?.perClass[Int(target)]?.f1,
                            seconds: Date().timeIntervalSince(started), trainingSeconds: trainingSeconds,
                            predictionSeconds: Date().timeIntervalSince(prediction), features: forest.featureCount,
                            decision: decision.isEmpty ? nil : decision)
    }

    /// The name of the row `scoreAuto` gives: what `trowel train` does without options.
    static let defaultRow = "default: trowel train (auto)"

    /// `trowel train` without options: the candidates (with the headless sample cap)
    /// cross-validated on the labels, the best one trained (with its decision tuned) and scored;
    /// then the same winner deciding by the most probable class, to show what the tuning gave.
    func scoreAuto(seed: UInt64? = nil, trees: Int? = nil) throws -> [RecipeResult] {
        let started = Date()
        let candidates = TrainingRecipe.headlessCandidates.map { c in
            var c = c
            if let seed { c.forest.seed = seed }
            if let trees { c.forest.treeCount = trees }
            return c
        }
        let selection = try RecipeSelection.choose(project: project, volume: volume, among: candidates)
        var run = selection.chosenRun
        run.tunesDecision = true
        run.tunesWalkerPrior = true
        run.tunesCleanup = true
        let training = Date()
        let (forest, record) = try run.run()
        let trainingSeconds = Date().timeIntervalSince(training)
        let prior = try ModelLibrary(project: project).prior(for: record)
        var tuned = try score(forest, record: record, prior: prior, named: Self.defaultRow, started: started,
                              trainingSeconds: trainingSeconds)
        tuned.chosen = selection.chosen.name
        // The same forest without the walker (its decision tuned as it would be without one), and
        // deciding by the most probable class: what each step gave.
        let argmax = try forest.deciding(with: nil)
        var alone = record
        alone.walkerPrior = nil
        alone.metrics = selection.candidates[selection.chosenIndex].metrics
        let decided = try DecisionTuning.decide(argmax, record: &alone, from: selection.chosenRun.heldOut)
        var withoutWalker = try score(decided, record: alone, prior: nil, named: Self.defaultRow + ", no walker prior",
                                      started: Date(), trainingSeconds: trainingSeconds)
        withoutWalker.chosen = selection.chosen.name
        var plainRecord = record
        plainRecord.decision = nil
        plainRecord.walkerPrior = nil
        plainRecord.metrics = selection.candidates[selection.chosenIndex].metrics
        var plain = try score(argmax, record: plainRecord, prior: nil, named: Self.defaultRow + ", argmax",
                              started: Date(), trainingSeconds: trainingSeconds)
        plain.chosen = selection.chosen.name
        // What `trowel segment` writes as <model>-cleaned when the model adopted a clean-up: the
        // whole volume predicted, the step applied in 3D.
        var uncleaned = tuned
        uncleaned.recipe = Self.defaultRow + ", no clean-up"
        if let c = record.cleanup {
            let table = c.candidates.sorted { $0.value > $1.value }.prefix(3)
                .map { String(format: "%@ %.4f", $0.key, $0.value) }.joined(separator: ", ")
            let text = String(format: "clean-up %@ (held-out %.4f, tuned %.4f, %@; folds: %@; best: %@)",
                              c.step?.description ?? "none", c.plainScore, c.tunedScore, c.adopted ? "adopted" : "refused",
                              c.foldSteps.joined(separator: " | "), table)
            tuned.decision = [tuned.decision, text].compactMap { $0 }.joined(separator: "; ")
            if c.adopted, let step = c.step {
                let predictor = Predictor(forest: forest, volume: volume, prior: prior)
                var whole = Block<UInt8>(shape: shape, repeating: 0)
                for tile in predictor.tiles(covering: shape.box) {
                    whole.copy(from: try predictor.labels(tile), at: tile.lower, into: .zero)
                }
                try step.postProcessing.apply(to: &whole)
                let (f1, precision, recall) = try tally { box in whole.cropped(to: box).elements }
                (tuned.f1, tuned.precision, tuned.recall) = (f1, precision, recall)
            }
        }
        return [tuned, uncleaned, withoutWalker, plain]
    }

    /// `trowel interpolate` (the random walker from the labelled slices) scored like a recipe.
    /// Slices outside the labelled range stay unlabelled, so they count as missed target voxels.
    func scoreInterpolation(downsample: Int = 4) throws -> RecipeResult {
        let started = Date()
        var options = LabelInterpolation.Options(downsample: downsample)
        options.id = "interp-quality-\(downsample)"
        let store = SegmentationStore(projectURL: project.url, id: options.id!)
        try? FileManager.default.removeItem(at: store.url)
        _ = try LabelInterpolation(project: project, options: options).run()
        let labels = try ZarrArray.open(at: store.levelZeroURL)
        let (f1, precision, recall) = try tally { box in try labels.read(box, as: UInt8.self).elements }
        return RecipeResult(recipe: "interpolation (walker \(downsample)×)", f1: f1, precision: precision, recall: recall,
                            heldOutF1: nil, seconds: Date().timeIntervalSince(started), features: 0)
    }

    /// F1, precision and recall of the target class over the scored slices, given each slice's
    /// predicted class ids; voxels whose truth is 0 are skipped.
    private func tally(_ predict: (Box) throws -> [UInt8]) throws -> (Double, Double, Double) {
        var tp = 0, fp = 0, fn = 0
        let plane = shape.y * shape.x
        for z in scored {
            let predicted = try predict(Box(z: z..<(z + 1), y: 0..<shape.y, x: 0..<shape.x))
            let base = z * plane
            for i in 0..<plane {
                let t = truth[base + i]
                if t == 0 { continue }
                let p = predicted[i] == target, isTarget = t == target
                if p && isTarget { tp += 1 } else if p { fp += 1 } else if isTarget { fn += 1 }
            }
        }
        return (Double(2 * tp) / Double(max(1, 2 * tp + fp + fn)), Double(tp) / Double(max(1, tp + fp)),
                Double(tp) / Double(max(1, tp + fn)))
    }
}

extension QualityCaseFolder {
    /// Writes the bundled sample's phantom (160² like `SampleData/fossil`, 96 slices here) as a
    /// case: the easy scan, so a recipe that wins on hard scans is seen not to lose on an ordinary one.
    static func writePhantom(to root: URL, seed: UInt64) throws -> URL {
        let phantom = try FossilPhantom(size: 160, slices: 96, seed: seed)
        let folder = root.appendingPathComponent("fossil-phantom")
        let labelled = [16, 48, 80]
        let description = QualityCase(
            name: "fossil-phantom", description: "the bundled sample's fossil: bone with trabeculae, a crack, rings, z drift; ordinary contrast",
            source: "generated: FossilPhantom seed \(seed)", labelledSlices: labelled,
            scoredSlices: QualityCase.scoredSlices(depth: phantom.shape.z, labelled: labelled))
        try description.write(image: try phantom.readSlices(0..<phantom.shape.z), truth: phantom.truthSlices(0..<phantom.shape.z),
                              to: folder)
        return folder
    }

    /// True when `folder` holds a case generated from `source` (so it need not be written again).
    static func exists(at folder: URL, source: String) -> Bool {
        guard let data = try? Data(contentsOf: folder.appendingPathComponent("meta.json")),
              let meta = try? JSONDecoder().decode(Meta.self, from: data) else { return false }
        let files = ["scan.raw", "labels.u8", "truth.u8"]
        return meta.source == source && files.allSatisfy { FileManager.default.fileExists(atPath: folder.appendingPathComponent($0).path) }
    }
}
