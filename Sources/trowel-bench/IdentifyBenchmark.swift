import ArgumentParser
import Foundation
import TrowelEngine
import TrowelVolume

/// Taxon identification on a generated catalogue (`SpecimenPhantom`, the plans in turn, one seed
/// per specimen): slice descriptors per second on one thread, and the time `trowel identify train`
/// takes on it (descriptors, specimens in parallel; the specimen-split forest and the leaky
/// slice-split forest it is compared with),
/// with the accuracies it reports. Synthetic specimens: the accuracies say the code works, not how
/// well real specimens are identified.
struct IdentifyBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "identify",
        abstract: "Time slice descriptors and taxon-model training on generated specimens."
    )

    @Option(help: "Specimens in the catalogue (the chamber plans in turn).") var specimens = 50
    @Option(help: "Specimen side in voxels.") var size = 128
    @Option(help: "Chamber plans (taxa), 2 to \(SpecimenPhantom.Plan.allCases.count).") var taxa = SpecimenPhantom.Plan.allCases.count
    @Flag(help: "Print one JSON object.") var json = false

    func validate() throws {
        guard (2...SpecimenPhantom.Plan.allCases.count).contains(taxa) else { throw ValidationError("--taxa: 2 to \(SpecimenPhantom.Plan.allCases.count)") }
        guard specimens >= 3 * taxa else { throw ValidationError("--specimens: at least 3 per taxon (\(3 * taxa))") }
        guard size >= 16 else { throw ValidationError("--size: at least 16") }
    }

    func run() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("trowel-bench-identify-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let plans = Array(SpecimenPhantom.Plan.allCases.prefix(taxa))
        var csv = "project,taxon\n"
        let (_, generation) = try BenchSupport.time {
            for i in 0..<specimens {
                let plan = plans[i % plans.count], name = "\(plan.rawValue)-\(i).trowel"
                _ = try ProjectBuilder().build(from: SpecimenScan(SpecimenPhantom(plan: plan, side: size, seed: UInt64(i + 1))),
                                               at: folder.appendingPathComponent(name))
                csv += "\(name),\(plan.rawValue)\n"
            }
        }
        let file = folder.appendingPathComponent("catalogue.csv")
        try csv.write(to: file, atomically: true, encoding: .utf8)
        let catalogue = try TaxonCatalogue(contentsOf: file)
        let options = TaxonIdentifier.Options()

        // Descriptors alone, one specimen after another on one thread: every z-slice of every specimen.
        let cpu0 = BenchSupport.cpuSeconds()
        let (described, describing) = try BenchSupport.time {
            try catalogue.entries.reduce(0) { $0 + (try TaxonIdentifier.descriptors(of: $1.project, descriptor: options.descriptor, axes: options.axes).count) }
        }
        let describingCPU = BenchSupport.cpuSeconds() - cpu0
        let cpu1 = BenchSupport.cpuSeconds()
        let (model, training) = try BenchSupport.time { try TaxonIdentifier(options: options).train(catalogue) }
        let trainingCPU = BenchSupport.cpuSeconds() - cpu1
        let h = model.header
        let out: [String: Any] = [
            "specimens": specimens, "taxa": taxa, "side": size, "slices_read": specimens * size, "slices_described": described,
            "descriptor_values": options.descriptor.count,
            "generate_and_import_seconds": generation,
            "describe_seconds": describing, "describe_cpu_seconds": describingCPU, "descriptors_per_s": Double(described) / describing,
            "train_seconds": training, "train_cpu_seconds": trainingCPU,
            "held_out_specimens": h.heldOutSpecimens.count,
            "specimen_accuracy": h.specimenMetrics?.accuracy ?? -1, "slice_accuracy": h.metrics?.accuracy ?? -1,
            "slice_split_accuracy": h.sliceSplitMetrics?.accuracy ?? -1, "specimen_macro_f1": h.specimenMetrics?.macroF1 ?? -1,
            "peak_rss_mb": BenchSupport.peakResidentMegabytes(),
        ]
        if json {
            try BenchSupport.printJSON(out)
        } else {
            for key in out.keys.sorted() { print("\(key): \(out[key]!)") }
        }
    }
}
