import ArgumentParser
import Foundation
import TrowelEngine
import TrowelVolume

/// `trowel identify train|eval|predict`: taxon identification from a catalogue of specimens.
struct IdentifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "identify",
        abstract: "Identify the taxon of a specimen from its slices: train on a catalogue, evaluate, predict.",
        discussion: """
            A catalogue is a CSV file with the header 'project,taxon' and one row per specimen (a \
            project folder; paths relative to the file). The fossil is what lies above the specimen's \
            Otsu threshold; each slice with at least 2 % fossil is cropped to it and described (grey \
            histogram, feature statistics, Hu moments, radial profile, shape, chambers and wall depth); a forest classifies slices and a specimen gets the mean of its slices' \
            probabilities. Training holds out whole specimens, stratified by taxon, so the reported \
            accuracy is honest; beside it is what a (leaky) slice-level split would have claimed.
            """,
        subcommands: [IdentifyTrainCommand.self, IdentifyEvalCommand.self, IdentifyPredictCommand.self]
    )
}

struct IdentifyTrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a taxon model on a catalogue and score it on held-out specimens.",
        discussion: """
            Taxa with fewer than 3 specimens are refused (at least two train and one is held out). \
            The model file holds the descriptor spec, the taxa, which specimens trained it and which \
            were held out, and the metrics printed here.
            """
    )

    @Argument(help: "The catalogue: a CSV file with rows project,taxon.")
    var catalogue: String

    @Option(name: .shortAndLong, help: "The model file to write.")
    var output: String

    @Option(help: "Seed of the specimen-level split (the same seed holds out the same specimens).")
    var seed: UInt64 = 1

    @Option(help: "Slicing axes: z (default) or all (z, y and x).")
    var axes: IdentifyAxes = .z

    @Flag(help: "Print one JSON object.")
    var json = false

    func run() throws {
        try reportingErrors {
            let catalogueURL = URL(fileURLWithPath: catalogue)
            let outputURL = URL(fileURLWithPath: output)
            let parent = outputURL.deletingLastPathComponent()
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: parent.path, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw IdentifyError.model(outputURL.lastPathComponent, "cannot be written: the folder \(parent.path) does not exist")
            }
            let cat = try TaxonCatalogue(contentsOf: catalogueURL)
            var options = TaxonIdentifier.Options()
            options.seed = seed
            options.axes = axes.axes
            let started = Date()
            Terminal.showProgress("describing the slices of \(cat.entries.count) specimens and training…")
            let model = try TaxonIdentifier(options: options).train(cat)
            Terminal.clearProgressLine()
            try model.write(to: outputURL)
            let seconds = Date().timeIntervalSince(started)
            let h = model.header
            if json {
                print(try JSONOutput.text(IdentifyTrainReport(model: outputURL.path, catalogue: catalogueURL.path, header: h,
                                                                seconds: seconds)))
            } else {
                print("catalogue \(catalogueURL.lastPathComponent): \(cat.entries.count) specimens of \(h.taxa.count) taxa; model written to \(output)")
                print("split by specimen, stratified by taxon (seed \(h.seed)): \(h.trainSpecimens.count) train, \(h.heldOutSpecimens.count) held out:")
                print("  held out: " + h.heldOutSpecimens.joined(separator: ", "))
                print(String(format: "trained in %.1f s", seconds))
                print("")
                print("held-out specimens (a specimen is the mean of its slices' probabilities), their slices, and what a slice-level split claims:")
                print(IdentifyText.summary([("specimens", h.specimenMetrics), ("slices", h.metrics), ("slice split (leaky)", h.sliceSplitMetrics)]))
                if let leaky = h.sliceSplitMetrics, let slices = h.metrics {
                    print(String(format: "a slice-level split would claim %.3f slice accuracy against %.3f on the held-out specimens' slices (%+.3f: leakage)",
                                 leaky.accuracy, slices.accuracy, leaky.accuracy - slices.accuracy))
                }
                IdentifyText.printDetails(taxa: h.taxa, slices: h.metrics, specimens: h.specimenMetrics, scope: "held-out")
            }
        }
    }
}

struct IdentifyEvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Score a taxon model on the specimens of a catalogue.",
        discussion: "Every specimen of the catalogue is scored; specimens the model was trained on are named (their scores are not honest)."
    )

    @Argument(help: "The model file (from 'trowel identify train').")
    var model: String

    @Argument(help: "The catalogue: a CSV file with rows project,taxon.")
    var catalogue: String

    @Flag(help: "Print one JSON object.")
    var json = false

    func run() throws {
        try reportingErrors {
            let m = try TaxonModel(contentsOf: URL(fileURLWithPath: model))
            let catalogueURL = URL(fileURLWithPath: catalogue)
            let cat = try TaxonCatalogue(contentsOf: catalogueURL)
            Terminal.showProgress("describing the slices of \(cat.entries.count) specimens…")
            let (slices, specimens) = try TaxonIdentifier.evaluate(m, on: cat)
            Terminal.clearProgressLine()
            let trained = Set(m.header.trainSpecimens)
            let overlap = cat.entries.map(\.name).filter { trained.contains($0) }
            if json {
                print(try JSONOutput.text(IdentifyEvalReport(model: model, catalogue: catalogueURL.path, taxa: m.header.taxa,
                                                               specimenCount: cat.entries.count, trainedOn: overlap,
                                                               specimens: specimens, slices: slices)))
            } else {
                print("model \(model) (\(m.header.taxa.count) taxa) on \(catalogueURL.lastPathComponent): \(cat.entries.count) specimens")
                if !overlap.isEmpty {
                    print("warning: the model was trained on \(overlap.count) of these specimens (\(overlap.joined(separator: ", "))); their scores are not honest")
                }
                print(IdentifyText.summary([("specimens", specimens), ("slices", slices)]))
                IdentifyText.printDetails(taxa: m.header.taxa, slices: slices, specimens: specimens, scope: "evaluated")
            }
        }
    }
}

struct IdentifyPredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Rank the taxa for one specimen, with a confidence measure.",
        discussion: """
            The specimen's probabilities are the mean of its slices' probabilities (slices with at \
            least 2 % fossil). Confidence: the top probability, its margin over the second, and the \
            share of slices whose own first choice is the specimen's.
            """
    )

    @Argument(help: "The model file (from 'trowel identify train').")
    var model: String

    @Argument(help: "The project folder (one specimen).")
    var project: String

    @Flag(help: "Also rank the taxa for every slice.")
    var slices = false

    @Flag(help: "Print one JSON object.")
    var json = false

    func run() throws {
        try reportingErrors {
            let m = try TaxonModel(contentsOf: URL(fileURLWithPath: model))
            let url = URL(fileURLWithPath: project)
            _ = try Project.open(at: url)
            let p = try TaxonIdentifier.predict(m, project: url)
            let report = IdentifyPredictReport(model: model, project: project, prediction: p, withSlices: slices)
            if json {
                print(try JSONOutput.text(report))
                return
            }
            let s = report.specimen
            let axes = Set(p.slices.map(\.axis)).sorted().joined(separator: ", ")
            print("\(url.lastPathComponent): \(s.slicesUsed) slices (\(axes)) with at least 2 % fossil; probabilities are the \(s.aggregation)")
            let w = IdentifyText.nameWidth(s.ranked.map(\.taxon))
            print("  rank  " + "taxon".padding(toLength: w, withPad: " ", startingAt: 0) + "  probability")
            for (i, r) in s.ranked.enumerated() {
                print(String(format: "  %4d  %@  %11.3f  %@", i + 1, r.taxon.padding(toLength: w, withPad: " ", startingAt: 0), r.probability,
                             IdentifyText.bar(r.probability)))
            }
            print(String(format: "confidence: %@ at %.3f, %.3f above the second; %d of %d slices (%.0f %%) rank it first",
                         s.ranked[0].taxon, s.confidence, s.margin, s.agreeingSlices, s.slicesUsed, s.agreement * 100))
            if slices {
                print("per slice (first three):")
                for slice in p.slices {
                    let top = slice.ranked.prefix(3).map { String(format: "%@ %.3f", $0.taxon, $0.probability) }.joined(separator: ", ")
                    print(String(format: "  %@ %4d  %@", slice.axis, slice.index, top))
                }
            }
        }
    }
}

enum IdentifyAxes: String, ExpressibleByArgument, CaseIterable {
    case z, all
    var axes: [Axis] { self == .z ? [.z] : [.z, .y, .x] }
}

/// `trowel identify train --json`: the split (which specimens trained, which were held out) and the
/// metrics on the held-out specimens, their slices, and a leaky slice-level split for comparison.
struct IdentifyTrainReport: Encodable {
    var model: String
    var catalogue: String
    var taxa: [String]
    var seed: UInt64
    var testFraction: Double
    var axes: [String]
    var trainSpecimens: [String]
    var heldOutSpecimens: [String]
    /// Held-out specimens, each the mean of its slices' probabilities.
    @NullWhenAbsent var specimens: TaxonMetrics?
    /// The held-out specimens' slices.
    @NullWhenAbsent var slices: TaxonMetrics?
    /// The same forest on a random split of slices (leaky).
    @NullWhenAbsent var sliceSplit: TaxonMetrics?
    var seconds: Double

    enum CodingKeys: String, CodingKey {
        case model, catalogue, taxa, seed, axes, specimens, slices, seconds
        case testFraction = "test_fraction", trainSpecimens = "train_specimens", heldOutSpecimens = "held_out_specimens"
        case sliceSplit = "slice_split"
    }

    init(model: String, catalogue: String, header h: TaxonModel.Header, seconds: Double) {
        self.model = model
        self.catalogue = catalogue
        taxa = h.taxa
        seed = h.seed
        testFraction = h.testFraction
        axes = h.axes
        trainSpecimens = h.trainSpecimens
        heldOutSpecimens = h.heldOutSpecimens
        specimens = h.specimenMetrics
        slices = h.metrics
        sliceSplit = h.sliceSplitMetrics
        self.seconds = seconds
    }
}

/// `trowel identify eval --json`.
struct IdentifyEvalReport: Encodable {
    var model: String
    var catalogue: String
    var taxa: [String]
    var specimenCount: Int
    /// Specimens of the catalogue the model was trained on (by their name in the catalogue).
    var trainedOn: [String]
    var specimens: TaxonMetrics
    var slices: TaxonMetrics

    enum CodingKeys: String, CodingKey {
        case model, catalogue, taxa, specimens, slices
        case specimenCount = "specimen_count", trainedOn = "trained_on"
    }
}

/// `trowel identify predict --json`: `{"specimen": {"ranked": […], …}, "slices": […] or null}`.
struct IdentifyPredictReport: Encodable {
    struct Specimen: Encodable {
        var ranked: [TaxonIdentifier.Prediction.Ranked]
        /// The top probability.
        var confidence: Double
        /// The top probability minus the second.
        var margin: Double
        /// The share of slices whose first choice is the specimen's first choice.
        var agreement: Double
        var agreeingSlices: Int
        var aggregation: String
        var slicesUsed: Int

        enum CodingKeys: String, CodingKey {
            case ranked, confidence, margin, agreement, aggregation
            case agreeingSlices = "agreeing_slices", slicesUsed = "slices_used"
        }
    }

    var model: String
    var project: String
    var specimen: Specimen
    @NullWhenAbsent var slices: [TaxonIdentifier.Prediction.Slice]?

    init(model: String, project: String, prediction p: TaxonIdentifier.Prediction, withSlices: Bool) {
        self.model = model
        self.project = project
        let top = p.specimen.ranked.first?.taxon
        let agreeing = p.slices.filter { $0.ranked.first?.taxon == top }.count
        specimen = Specimen(ranked: p.specimen.ranked, confidence: p.specimen.ranked.first?.probability ?? 0, margin: p.specimen.margin,
                            agreement: p.slices.isEmpty ? 0 : Double(agreeing) / Double(p.slices.count), agreeingSlices: agreeing,
                            aggregation: p.specimen.aggregation, slicesUsed: p.specimen.slicesUsed)
        slices = withSlices ? p.slices : nil
    }

    enum CodingKeys: String, CodingKey { case model, project, specimen, slices }
}

/// Taxon metrics as tables for people.
enum IdentifyText {
    static func nameWidth(_ names: [String]) -> Int { max(10, names.map(\.count).max() ?? 0) }

    static func bar(_ p: Double, width: Int = 20) -> String {
        let filled = Int((max(0, min(1, p)) * Double(width)).rounded())
        return String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
    }

    static func right(_ s: String, _ width: Int) -> String { String(repeating: " ", count: max(0, width - s.count)) + s }

    static func number(_ v: Double?) -> String { v.map { String(format: "%.3f", $0) } ?? "–" }

    /// One column per set of metrics: count, accuracy, macro and weighted P/R/F1, top-3, AUC.
    static func summary(_ columns: [(String, TaxonMetrics?)]) -> String {
        let rows: [(String, (TaxonMetrics) -> String)] = [
            ("samples", { "\($0.count)" }), ("accuracy", { number($0.accuracy) }),
            ("macro precision", { number($0.macroPrecision) }), ("macro recall", { number($0.macroRecall) }),
            ("macro F1", { number($0.macroF1) }), ("weighted precision", { number($0.weightedPrecision) }),
            ("weighted recall", { number($0.weightedRecall) }), ("weighted F1", { number($0.weightedF1) }),
            ("top-3 accuracy", { number($0.top3) }), ("AUC (one-vs-rest)", { number($0.auc) }),
        ]
        let widths = columns.map { max(9, $0.0.count) }
        func line(_ label: String, _ cells: [String]) -> String {
            "  " + label.padding(toLength: 19, withPad: " ", startingAt: 0)
                + zip(cells, widths).map { String(repeating: " ", count: max(0, $1 - $0.count)) + $0 }.joined(separator: "  ")
        }
        var out = [line("", columns.map(\.0))]
        for (label, value) in rows { out.append(line(label, columns.map { $0.1.map(value) ?? "–" })) }
        return out.joined(separator: "\n")
    }

    /// The per-taxon table (precision, recall, F1, AUC over slices, with support; specimens right
    /// out of held out) and the confusion matrices.
    static func printDetails(taxa: [String], slices: TaxonMetrics?, specimens: TaxonMetrics?, scope: String) {
        let w = nameWidth(taxa)
        if let slices {
            print("")
            print("per taxon, over the \(scope) slices (specimens: right / \(scope)):")
            print("  " + "taxon".padding(toLength: w, withPad: " ", startingAt: 0) + "  precision  recall     f1    auc  support  specimens")
            for (i, t) in slices.perTaxon.enumerated() {
                let sp = specimens.map { "\($0.confusion[i][i]) / \($0.perTaxon[i].support)" } ?? "–"
                print("  " + t.taxon.padding(toLength: w, withPad: " ", startingAt: 0)
                      + String(format: "  %9.3f  %6.3f  %5.3f  ", t.precision, t.recall, t.f1) + right(number(t.auc), 5)
                      + String(format: "  %7d  ", t.support) + right(sp, 9))
            }
        }
        if let specimens { print(""); print(confusion(specimens, taxa: taxa, of: "\(scope) specimens")) }
        if let slices { print(""); print(confusion(slices, taxa: taxa, of: "\(scope) slices")) }
    }

    /// Rows are the true taxon, columns the prediction (in the taxa's order, numbered).
    static func confusion(_ m: TaxonMetrics, taxa: [String], of what: String) -> String {
        let w = nameWidth(taxa)
        let cell = max(4, "\(m.confusion.flatMap { $0 }.max() ?? 0)".count + 1)
        func pad(_ s: String) -> String { String(repeating: " ", count: max(0, cell - s.count)) + s }
        var out = ["confusion matrix of the \(what) (rows: true taxon, columns: predicted, numbered as the rows):"]
        out.append("  " + String(repeating: " ", count: w + 4) + taxa.indices.map { pad("\($0 + 1)") }.joined())
        for (i, row) in m.confusion.enumerated() {
            out.append(String(format: "  %2d %@ ", i + 1, taxa[i].padding(toLength: w, withPad: " ", startingAt: 0)) + row.map { pad("\($0)") }.joined())
        }
        return out.joined(separator: "\n")
    }
}
