import ArgumentParser
import Foundation
import TrowelEngine
import TrowelVolume

struct ThresholdCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "threshold",
        abstract: "Otsu, multi-Otsu or a fixed value as a baseline segmentation, or as labels of one slice.",
        discussion: """
            Thresholds equal scikit-image's threshold_otsu / threshold_multiotsu on the same histogram \
            (integer scans: one bin per value; float scans: 256 bins between the minimum and maximum). \
            Without --slice the whole scan is thresholded into PROJECT/segmentations/<-o or \
            METHOD-<UTC time>>.zarr with its pyramid and threshold.json, ready for 'trowel mesh \
            --segmentation', 'export' and 'eval': with one threshold voxels above it get --above \
            (default bone) and the others --below (default matrix); multi-Otsu region k (0 the darkest) \
            gets class id k+1. With --slice axis:index only that slice is thresholded (from its own \
            histogram) and its unlabelled voxels are labelled as an accepted proposal: they train \
            models but never score them, and the user's own labels are kept.
            """
    )

    @Argument(help: "The project folder.")
    var project: String

    @Flag(help: "Otsu's threshold.")
    var otsu = false

    @Option(name: .customLong("multi-otsu"), help: "Multi-Otsu into K classes (2…8).")
    var multiOtsu: Int?

    @Option(help: "A fixed threshold (voxels above it are --above).")
    var value: Double?

    @Option(help: "Label only this slice, e.g. z:40.")
    var slice: String?

    @Option(help: "Class (name or id) of voxels above a single threshold.")
    var above = "bone"

    @Option(help: "Class (name or id) of voxels at or below a single threshold.")
    var below = "matrix"

    @Option(name: .shortAndLong, help: "Id of the new segmentation (default: METHOD-<UTC time>).")
    var output: String?

    @Flag(help: "Print one JSON object.")
    var json = false

    func validate() throws {
        let chosen = [otsu, multiOtsu != nil, value != nil].filter { $0 }.count
        guard chosen == 1 else { throw ValidationError("give exactly one of --otsu, --multi-otsu K, --value V") }
        if let k = multiOtsu, !(2...8).contains(k) { throw ValidationError("--multi-otsu \(k): give 2 to 8 classes") }
        if slice != nil, output != nil { throw ValidationError("-o names a whole-scan segmentation; --slice writes labels") }
    }

    func run() throws {
        try reportingErrors {
            let project = try Project.open(at: URL(fileURLWithPath: self.project))
            let classes = try project.classes()
            let method: ThresholdSegmentation.Method = otsu ? .otsu : multiOtsu.map { .multiOtsu(classes: $0) } ?? .value(value!)
            let run = ThresholdSegmentation(project: project, method: method,
                                            above: try PostprocessCommand.resolve(above, option: "--above", in: classes),
                                            below: try PostprocessCommand.resolve(below, option: "--below", in: classes))
            let result: ThresholdSegmentation.Result
            if let slice {
                let (axis, index) = try ThresholdSegmentation.parseSlice(slice, shape: try project.record().shape)
                result = try run.labelSlice(axis: axis, index: index)
            } else {
                result = try run.segmentVolume(id: output)
            }
            if json {
                print(try JSONOutput.text(result))
            } else {
                let names = Dictionary(uniqueKeysWithValues: classes.map { ($0.id, $0.name) })
                let perClass = result.classes.map { "\(names[$0.id] ?? "class \($0.id)") \($0.voxels)" }.joined(separator: ", ")
                let t = result.thresholds.map { String(format: "%g", $0) }.joined(separator: ", ")
                if let slice = result.slice {
                    print("\(result.method) threshold \(t) on slice \(slice): labelled \(result.labelled ?? 0) voxels (\(perClass))")
                } else {
                    print("wrote \(result.output ?? ""): \(result.method) threshold \(t) (\(perClass))")
                }
            }
        }
    }
}
