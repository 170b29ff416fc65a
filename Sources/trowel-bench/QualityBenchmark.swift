import ArgumentParser
import Foundation
import TrowelEngine
import TrowelML
import TrowelVolume

/// `trowel-bench quality`: segmentation quality, not speed. For every case (a folder with a scan,
/// sparse training labels and exact truth: the generated hard-fossil suite and any real CT given
/// with `--cases`), in one run: F1 of the reference pipeline (scikit-image + scikit-learn,
/// ml4paleo's method, `Scripts/reference-quality.py`) and of each Trowel recipe, all trained on the
/// same labels and scored on the same unlabelled slices. Trowel's rows run the product's own code:
/// a project is converted, the labels imported, `TrainingRun` trains and `Predictor` predicts.
struct QualityBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quality",
        abstract: "Segmentation F1 of the reference and of Trowel's recipes on hard and real scans, in one run.")

    @Option(parsing: .upToNextOption, help: "Case folders (meta.json, scan.raw, labels.u8, truth.u8), or folders of them.")
    var cases: [String] = []

    @Flag(inversion: .prefixedNo, help: "Generate and include the hard-fossil suite.")
    var suite = true

    @Option(help: "Seed of the generated suite.")
    var seed: UInt64 = 1

    @Option(help: "Seed of every forest (recipes and the default's candidates), to see how much a score moves with it.")
    var forestSeed: UInt64?

    @Option(help: "Runs per case with forest seeds seed, seed+1, … (the reference's random_state 0, 1, …); scores are their means, with each run's F1 in f1_runs.")
    var repeats = 1

    @Option(help: "Recipes to run: names from --list-recipes, comma-separated, or 'all'.")
    var recipes = "all"

    @Option(help: "Override every recipe's training-sample cap (its name gets ' cap N').")
    var maxSamples: Int?

    @Option(help: "Override every forest's tree count (recipes and the default's candidates; names get ' N trees').")
    var trees: Int?

    @Flag(inversion: .prefixedNo, help: "Also score `trowel train` as it runs without options: the candidate with the best held-out F1, all samples up to 1 000 000.")
    var auto = true

    @Flag(inversion: .prefixedNo, help: "Also score `trowel interpolate` (the random walker between labelled slices).")
    var interpolation = true

    @Flag(help: "List the recipes and exit.")
    var listRecipes = false

    @Option(help: "Python with numpy, scikit-image and scikit-learn for the reference ('' to skip it).")
    var python = "/tmp/trowel-bench/venv/bin/python"

    @Option(help: "The reference script.")
    var referenceScript = "Scripts/reference-quality.py"

    @Option(help: "Where projects and the generated suite are written.")
    var workDir = "/tmp/trowel-bench-quality"

    @Flag(help: "Print one JSON object.")
    var json = false

    /// Every recipe the benchmark knows: the default, the candidates, and the baselines.
    static var allRecipes: [TrainingRecipe] {
        var out = [TrainingRecipe.ml4paleo, TrainingRecipe.previousDefault]
        out += TrainingRecipe.candidates
        out.append(TrainingRecipe(name: "basic σ0.5–16 (no raw)", includesRaw: false))
        out.append(TrainingRecipe(name: "basic σ1–16 +raw", sigmaMin: 1))
        out.append(TrainingRecipe(name: "basic σ0.5–16 +raw cap 30k", forest: ForestConfiguration(maxSamples: 30_000)))
        out.append(TrainingRecipe(name: "basic σ0.5–16 +raw dtype", scaling: .dtypeRange))
        out.append(TrainingRecipe(name: "basic σ0.5–16 +raw balanced", forest: ForestConfiguration(classWeighting: .balanced, maxSamples: 100_000)))
        out.append(TrainingRecipe(name: "basic σ1–16 +raw 3D", sigmaMin: 1, dimensionality: .volumetric))
        out.append(TrainingRecipe(name: "basic σ0.5–16 +raw autocontext×3", stages: 3))
        out.append(TrainingRecipe(name: "basic σ0.5–16 +raw per-slice autocontext", scaling: .slicePercentiles, stages: 2))
        out.append(TrainingRecipe(name: "ilastik σ0.7–10 +raw autocontext", bank: .ilastik, sigmaMin: 0.7, sigmaMax: 10, stages: 2))
        return out
    }

    func run() throws {
        if listRecipes {
            for r in Self.allRecipes { print(r.name) }
            return
        }
        var chosen: [TrainingRecipe]
        if recipes == "all" {
            chosen = Self.allRecipes
        } else {
            let names = recipes.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            chosen = try names.map { n in
                guard let r = Self.allRecipes.first(where: { $0.name == n }) else {
                    throw ValidationError("no recipe '\(n)' (see --list-recipes)")
                }
                return r
            }
        }
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1") }
        /// Every chosen recipe with `value` set at `path` of its forest, its name marked with `suffix`.
        func overriding(_ value: Int?, _ option: String, _ path: WritableKeyPath<ForestConfiguration, Int>,
                        suffix: (Int) -> String) throws {
            guard let value else { return }
            guard value > 0 else { throw ValidationError("\(option) must be positive") }
            chosen = chosen.map { r in
                var r = r
                r.forest[keyPath: path] = value
                r.name += suffix(value)
                return r
            }
        }
        try overriding(maxSamples, "--max-samples", \.maxSamples) { " cap \($0)" }
        try overriding(trees, "--trees", \.treeCount) { " \($0) trees" }
        let work = URL(fileURLWithPath: workDir)
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        var folders: [URL] = []
        if suite {
            let root = work.appendingPathComponent("suite")
            folders += try QualitySuite.writeAll(to: root, seed: seed, log: log)
            folders.append(try QualityCaseFolder.writePhantom(to: root, seed: seed))
        }
        for path in cases { folders += try QualityCaseFolder.folders(in: URL(fileURLWithPath: path)) }
        guard !folders.isEmpty else { throw ValidationError("no cases: give --cases or keep --suite") }

        var results: [CaseResult] = []
        for folder in folders {
            let c = try QualityCaseFolder(folder: folder)
            log("\(c.meta.name): \(c.meta.z)×\(c.meta.y)×\(c.meta.x) \(c.meta.dtype), labelled slices \(c.meta.labelledSlices)")
            var result = CaseResult(name: c.meta.name, source: c.meta.source, licence: c.meta.licence,
                                    shape: [c.meta.z, c.meta.y, c.meta.x], dtype: c.meta.dtype)
            var runs: [CaseResult] = []
            let evaluation = try c.prepareProject(in: work)
            for runIndex in 0..<repeats {
                var run = result
                if repeats > 1 { log("  run \(runIndex + 1) of \(repeats)") }
                run.reference = runReference(on: folder, seed: runIndex)
                if let r = run.reference { log(String(format: "  reference F1 %.4f (%.1f s)", r.f1, r.seconds)) }
                let seed = (forestSeed ?? ForestConfiguration().seed) + UInt64(runIndex)
                for recipe in chosen {
                    var recipe = recipe
                    recipe.forest.seed = seed
                    let row = try evaluation.score(recipe)
                    log(String(format: "  %@ F1 %.4f (held-out %@, %.1f s: train %.1f, predict %.1f)", recipe.name, row.f1,
                               row.heldOutF1.map { String(format: "%.4f", $0) } ?? "–", row.seconds, row.trainingSeconds ?? 0,
                               row.predictionSeconds ?? 0))
                    run.trowel.append(row)
                }
                if auto {
                    for row in try evaluation.scoreAuto(seed: seed, trees: trees) {
                        log(String(format: "  %@ chose %@: F1 %.4f (%.1f s)%@", row.recipe, row.chosen ?? "?", row.f1, row.seconds,
                                   row.decision.map { ", decision " + $0 } ?? ""))
                        run.trowel.append(row)
                    }
                }
                if interpolation && runIndex == 0 {
                    let row = try evaluation.scoreInterpolation()
                    log(String(format: "  %@ F1 %.4f (%.1f s)", row.recipe, row.f1, row.seconds))
                    run.trowel.append(row)
                }
                runs.append(run)
            }
            result = CaseResult.mean(of: runs)
            results.append(result)
        }
        let report = QualityReport(cases: results, defaultRecipe: auto ? QualityEvaluation.defaultRow : TrainingRecipe.standard.name)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(report.table)
        }
    }

    func log(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// The reference's F1 on one case, or nil (with a note on stderr) when it cannot run.
    func runReference(on folder: URL, seed: Int = 0) -> ReferenceResult? {
        guard !python.isEmpty else { return nil }
        guard FileManager.default.isExecutableFile(atPath: python), FileManager.default.fileExists(atPath: referenceScript) else {
            log("  reference skipped: \(python) or \(referenceScript) missing")
            return nil
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [referenceScript, "--inputs", folder.path, "--seed", String(seed)]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.standardError
        do { try process.run() } catch {
            log("  reference failed to start: \(error)")
            return nil
        }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              let line = String(decoding: data, as: UTF8.self).split(separator: "\n").last,
              let result = try? JSONDecoder().decode(ReferenceResult.self, from: Data(line.utf8)) else {
            log("  reference failed (exit \(process.terminationStatus))")
            return nil
        }
        return result
    }
}

/// What `Scripts/reference-quality.py` prints (the fields the benchmark reads).
struct ReferenceResult: Codable {
    var f1: Double
    var precision: Double?
    var recall: Double?
    var seconds: Double
    /// With `--repeats`: each run's F1 (`f1` is their mean).
    var f1Runs: [Double]? = nil

    enum CodingKeys: String, CodingKey { case f1, precision, recall, seconds, f1Runs = "f1_runs" }
}

/// One Trowel recipe on one case.
struct RecipeResult: Codable {
    var recipe: String
    var f1: Double
    var precision: Double
    var recall: Double
    /// The leakage-aware cross-validated F1 of the target class that `trowel train` reports.
    var heldOutF1: Double?
    var seconds: Double
    /// Of `seconds`: training with its cross-validation (for the auto row, of the winner only) and
    /// predicting the scored slices.
    var trainingSeconds: Double? = nil
    var predictionSeconds: Double? = nil
    var features: Int
    /// For the auto row: the recipe `--auto` chose.
    var chosen: String? = nil
    /// Decision weights the model uses, "classid×weight …" or "argmax", with the held-out mean F1
    /// of the argmax and of the tuned weights (nil when the decision was not tuned).
    var decision: String? = nil
    /// With `--repeats`: each run's F1 (`f1` and the other scores are their means; `chosen` and
    /// `decision` are the first run's).
    var f1Runs: [Double]? = nil

    enum CodingKeys: String, CodingKey {
        case recipe, f1, precision, recall, heldOutF1 = "held_out_f1", seconds, features, chosen, decision, f1Runs = "f1_runs"
        case trainingSeconds = "training_seconds", predictionSeconds = "prediction_seconds"
    }
}

struct CaseResult: Codable {
    var name: String
    var source: String
    var licence: String
    var shape: [Int]
    var dtype: String
    var reference: ReferenceResult?
    var trowel: [RecipeResult] = []

    /// One case's repeated runs as one result: every score the mean over the runs that have it.
    static func mean(of runs: [CaseResult]) -> CaseResult {
        guard var out = runs.first, runs.count > 1 else { return runs.first! }
        func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(max(1, values.count)) }
        func mean(_ values: [Double?]) -> Double? { values.contains(nil) ? nil : mean(values.compactMap { $0 }) }
        let references = runs.compactMap(\.reference)
        if var r = out.reference, references.count == runs.count {
            r.f1 = mean(references.map(\.f1))
            r.precision = mean(references.map(\.precision))
            r.recall = mean(references.map(\.recall))
            r.seconds = mean(references.map(\.seconds))
            r.f1Runs = references.map(\.f1)
            out.reference = r
        }
        out.trowel = out.trowel.map { first in
            let rows = runs.compactMap { $0.trowel.first { $0.recipe == first.recipe } }
            guard rows.count > 1 else { return first }
            var r = first
            r.f1 = mean(rows.map(\.f1))
            r.precision = mean(rows.map(\.precision))
            r.recall = mean(rows.map(\.recall))
            r.heldOutF1 = mean(rows.map(\.heldOutF1))
            r.seconds = mean(rows.map(\.seconds))
            r.trainingSeconds = mean(rows.map(\.trainingSeconds))
            r.predictionSeconds = mean(rows.map(\.predictionSeconds))
            r.f1Runs = rows.map(\.f1)
            return r
        }
        return out
    }
}

/// Every case, and per recipe the mean F1 and how it compares with the reference.
struct QualityReport: Encodable {
    var cases: [CaseResult]
    var defaultRecipe: String

    struct Summary: Encodable {
        var recipe: String
        var meanF1: Double
        /// Mean of (recipe − reference) over the cases the reference ran on.
        var meanGainOverReference: Double?
        /// Cases where the recipe scored at or above the reference.
        var casesAtOrAboveReference: Int
        var casesWithReference: Int
    }

    var summaries: [Summary] {
        guard let first = cases.first else { return [] }
        return first.trowel.map(\.recipe).map { name in
            let rows = cases.compactMap { c in c.trowel.first { $0.recipe == name }.map { (c, $0) } }
            let mean = rows.map(\.1.f1).reduce(0, +) / Double(max(1, rows.count))
            let paired = rows.compactMap { c, r in c.reference.map { r.f1 - $0.f1 } }
            return Summary(recipe: name, meanF1: mean,
                           meanGainOverReference: paired.isEmpty ? nil : paired.reduce(0, +) / Double(paired.count),
                           casesAtOrAboveReference: paired.filter { $0 >= 0 }.count, casesWithReference: paired.count)
        }
    }

    var referenceMeanF1: Double? {
        let f = cases.compactMap { $0.reference?.f1 }
        return f.isEmpty ? nil : f.reduce(0, +) / Double(f.count)
    }

    enum CodingKeys: String, CodingKey {
        case benchmark, cases, defaultRecipe = "default_recipe", summaries, referenceMeanF1 = "reference_mean_f1"
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode("quality", forKey: .benchmark)
        try c.encode(cases, forKey: .cases)
        try c.encode(defaultRecipe, forKey: .defaultRecipe)
        try c.encode(summaries, forKey: .summaries)
        try c.encode(referenceMeanF1, forKey: .referenceMeanF1)
    }

    /// A table for people: one row per recipe, one column per case, F1 of the target class.
    var table: String {
        let names = cases.map(\.name)
        let width = max(10, names.map(\.count).max() ?? 0)
        func cell(_ s: String) -> String { s.padding(toLength: width + 1, withPad: " ", startingAt: 0) }
        var lines = [cell("F1 of class 1").padding(toLength: 36, withPad: " ", startingAt: 0) + names.map(cell).joined() + "mean"]
        let ref = cases.map { $0.reference.map { String(format: "%.4f", $0.f1) } ?? "–" }
        lines.append("reference (skimage+sklearn)".padding(toLength: 36, withPad: " ", startingAt: 0) + ref.map(cell).joined()
                     + (referenceMeanF1.map { String(format: "%.4f", $0) } ?? "–"))
        for s in summaries {
            let row = cases.map { c in c.trowel.first { $0.recipe == s.recipe }.map { String(format: "%.4f", $0.f1) } ?? "–" }
            let mark = s.recipe == defaultRecipe ? " *" : ""
            lines.append((s.recipe + mark).padding(toLength: 36, withPad: " ", startingAt: 0) + row.map(cell).joined()
                         + String(format: "%.4f", s.meanF1)
                         + (s.meanGainOverReference.map { String(format: "  (%+.4f vs reference, ≥ on %d/%d)", $0, s.casesAtOrAboveReference, s.casesWithReference) } ?? ""))
        }
        lines.append("* the default recipe")
        let choices = cases.compactMap { c in c.trowel.first { $0.chosen != nil }.map { "\(c.name): \($0.chosen!)" } }
        if !choices.isEmpty { lines.append("auto chose: " + choices.joined(separator: "; ")) }
        return lines.joined(separator: "\n")
    }
}
