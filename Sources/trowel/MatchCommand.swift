import ArgumentParser
import Foundation
import TrowelEngine
import TrowelVolume

/// `trowel match P.trowel IMAGE`: where a 2D image lies in the project's scan.
struct MatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "match",
        abstract: "Find where a 2D image (a thin section, a slice of another scan) lies in the scan.",
        discussion: """
            IMAGE is one grey PNG or TIFF (8/16-bit, or 32-bit TIFF). Coarse: every slice across the \
            chosen axes at a pyramid level about 128 pixels wide is compared with the image by the shape \
            of their Otsu masks (Dice with centroids and areas aligned, best of 90 rotations; Hu moments). \
            Fine: the best places are searched over the full circle of rotation, scale within ±25 % and \
            translation by NCC of grey values, down the pyramid to full resolution, and scored by SSIM \
            (Gaussian window σ 1.5, after fitting the image's grey values to the slice's), NCC and Dice. \
            Prints the ranked places: axis, slice, angle (degrees, counter-clockwise, of the image \
            relative to the slice), scale (image pixels per voxel), offset (dy, dx: the image centre \
            from the slice centre, in voxels) and the scores. Slices across the scan's axes only \
            (not oblique planes); mirror images are not searched; the image should show the specimen \
            whole.
            """
    )

    @Argument(help: "The project folder.")
    var project: String

    @Argument(help: "The image to locate (grey PNG or TIFF).")
    var image: String

    @Option(help: "Axis whose slices are searched: x, y, z or any.")
    var axis = "any"

    @Option(help: "How many places to print.")
    var top = 5

    @Flag(help: "Print one JSON object.")
    var json = false

    func validate() throws {
        guard (1...50).contains(top) else { throw ValidationError("--top \(top): give 1 to 50") }
    }

    func run() throws {
        try reportingErrors {
            let axes = try SectionLocator.parseAxes(axis)
            let project = try Project.open(at: URL(fileURLWithPath: self.project))
            let volume = try MultiscaleVolume.open(at: project.volumeURL)
            let result = try SectionLocator(axes: axes, top: top).locate(image: URL(fileURLWithPath: image), in: volume)
            if json {
                print(try JSONOutput.text(result))
                return
            }
            let size = "\(result.imageSize[1])×\(result.imageSize[0])"
            print("\((image as NSString).lastPathComponent) (\(size)) in \(project.name), slices across \(result.axes.joined(separator: ", ")): "
                  + String(format: "%.1f s", result.seconds))
            guard !result.candidates.isEmpty else {
                print("no slice has a shape to compare (Otsu finds nothing in any slice)")
                return
            }
            print("  rank  axis  slice   angle°  scale   offset dy, dx     ssim     ncc    dice")
            for (i, c) in result.candidates.enumerated() {
                print(String(format: "  %4d     %@  %5d  %7.1f  %5.3f  %7.1f, %7.1f  %6.3f  %6.3f  %6.3f", i + 1, c.axis, c.slice, c.angle,
                             c.scale, c.offset[0], c.offset[1], c.ssim, c.ncc, c.dice))
            }
        }
    }
}
