import ArgumentParser
import Foundation
import TrowelEngine
import TrowelVolume

struct PostprocessCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "postprocess",
        abstract: "Clean up one class of a segmentation into a new segmentation.",
        discussion: """
            Works on 6-connected components of the class: --min-size N turns components under N voxels \
            into --background; --keep-largest K keeps only the K largest; --fill-holes turns voxels \
            enclosed by the class (e.g. bone interiors the model missed) into the class. Steps run in \
            that order. Writes PROJECT/segmentations/<-o or ID-post>.zarr with its pyramid, ready for \
            'trowel mesh --segmentation' and 'trowel export'. Works block by block (--block, default \
            the segmentation's block side up to 128), reading the segmentation two or three times: \
            memory is about 10 bytes per voxel of one block plus tables that grow with the number \
            of components, not with the scan. If a run is interrupted (Ctrl-C, kill, crash), running \
            the same command again redoes it; a finished output is never overwritten.
            """
    )

    @Argument(help: "The project folder.")
    var project: String

    @Option(help: "Segmentation id to clean up (default: the newest model's).")
    var segmentation: String?

    @Option(name: .customLong("class"), help: "Class name (e.g. bone) or class id.")
    var className: String

    @Option(help: "Remove components of the class smaller than this many voxels.")
    var minSize: Int?

    @Option(help: "Keep only the K largest components of the class.")
    var keepLargest: Int?

    @Flag(help: "Fill holes enclosed by the class (in 3D).")
    var fillHoles = false

    @Option(help: "Class that removed voxels become (name or id).")
    var background = "matrix"

    @Option(help: "Side of the blocks processed at once, in voxels (default: the segmentation's block side, halved down to at most 128); sides that are not a multiple of the storage chunks are slower.")
    var block: Int?

    @Option(name: .shortAndLong, help: "Id of the new segmentation (default: <ID>-post).")
    var output: String?

    @Flag(help: "Print one JSON object.")
    var json = false

    func run() throws {
        try reportingErrors {
            let project = try Project.open(at: URL(fileURLWithPath: self.project))
            try project.requireWritable(for: "post-processing (a new segmentation)")
            let classes = try project.classes()
            let target = try Self.resolve(className, option: "--class", in: classes)
            let backdrop = try Self.resolve(background, option: "--background", in: classes)
            let steps = PostProcessing(classID: target, backgroundID: backdrop, minimumVoxels: minSize,
                                       keepLargest: keepLargest, fillHoles: fillHoles)
            try steps.validate()
            guard let id = try segmentation ?? ModelLibrary(project: project).latestID() else { throw LearningError.noModels }
            let newID = output ?? "\(id)-post"
            guard newID != id else { throw PostProcessingError.sameID(newID) }
            guard !newID.isEmpty, !newID.contains("/") else {
                throw ValidationError("-o \(newID): give a plain name (no '/')")
            }
            let source = SegmentationStore(projectURL: project.url, id: id)
            let destination = SegmentationStore(projectURL: project.url, id: newID)
            if FileManager.default.fileExists(atPath: destination.url.path) {
                // An unfinished result of an interrupted run is redone; anything else is kept.
                guard PostProcessing.isInterruptedOutput(destination) else { throw PostProcessingError.exists(destination.url.path) }
                try FileManager.default.removeItem(at: destination.url)
                FileHandle.standardError.write(Data("\(destination.url.path): redoing an interrupted post-processing run\n".utf8))
            }
            let start = Date()
            let volume = try MultiscaleVolume.open(at: project.volumeURL)
            let report = try steps.apply(from: source, to: destination, levelShapes: volume.levels.map(\.shape),
                                         voxelSize: volume.voxelSize, blockSide: block,
                                         workers: ProcessInfo.processInfo.activeProcessorCount)
            let seconds = Date().timeIntervalSince(start)
            if json {
                print(try MetricsText.serialize([
                    "segmentation": newID, "source": id, "output": destination.url.path, "class_id": Int(target),
                    "components_before": report.componentsBefore, "components_removed": report.componentsRemoved,
                    "voxels_removed": report.voxelsRemoved, "holes_filled": report.holesFilled,
                    "voxels_filled": report.voxelsFilled, "seconds": seconds,
                ]))
            } else {
                print("wrote \(destination.url.path): \(report.componentsRemoved) of \(report.componentsBefore) component(s) removed "
                      + "(\(report.voxelsRemoved) voxels), \(report.holesFilled) hole(s) filled (\(report.voxelsFilled) voxels)")
            }
        }
    }

    /// The id of the class named or numbered `text`.
    static func resolve(_ text: String, option: String, in classes: [LabelClass]) throws -> UInt8 {
        let found = classes.first(where: { $0.name.lowercased() == text.lowercased() })
            ?? Int(text).flatMap { id in classes.first { $0.id == id } }
        guard let found, let id = UInt8(exactly: found.id) else {
            throw ValidationError("\(option) \(text): no such class in this project; classes are \(classes.map(\.name).joined(separator: ", "))")
        }
        return id
    }
}
