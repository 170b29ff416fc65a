import ArgumentParser
import Foundation
import TrowelEngine
import TrowelVolume

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a segmentation as a TIFF or PNG slice stack, a raw file or a Zarr array.",
        discussion: """
            Voxels are the uint8 class ids (0 none, 1 bone, 2 matrix, … as in the project's classes),
            full resolution. tiff/png: one file per slice, <id>_00000.tif …, which VGStudio, Avizo,
            Dragonfly and Fiji import as a stack; raw: <id>.raw, z-y-x order (x fastest), 8-bit;
            zarr: <id>.zarr, a plain Zarr v2 array.
            """
    )

    @Argument(help: "The project folder.")
    var project: String

    @Option(help: "Segmentation id, i.e. the model id that made it (default: the newest model).")
    var segmentation: String?

    @Option(help: "tiff, png, raw or zarr.")
    var format = "tiff"

    @Option(name: .shortAndLong, help: "Output folder (created if missing).")
    var output: String

    @Flag(help: "Print one JSON object.")
    var json = false

    func run() throws {
        try reportingErrors {
            guard let format = SegmentationExport.Format(rawValue: format.lowercased()) else {
                throw ValidationError("--format \(self.format): give tiff, png, raw or zarr")
            }
            let project = try Project.open(at: URL(fileURLWithPath: self.project))
            guard let id = try segmentation ?? ModelLibrary(project: project).latestID() else { throw LearningError.noModels }
            let store = SegmentationStore(projectURL: project.url, id: id)
            Interrupts.install()
            let files = try SegmentationExport(store: store, format: format)
                .run(into: URL(fileURLWithPath: output), isCancelled: { Interrupts.isInterrupted })
            if json {
                print(try MetricsText.serialize(["segmentation": id, "format": format.rawValue, "files": files.count,
                                                 "output": URL(fileURLWithPath: output).path]))
            } else {
                print("exported segmentation \(id) as \(format.rawValue): \(files.count) file(s) in \(output)")
            }
        }
    }
}
