import ArgumentParser
import Foundation
import TrowelEngine
import TrowelVolume

struct InterpolateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "interpolate",
        abstract: "Fill the slices between labelled slices with a random walker on the scan (label interpolation).",
        discussion: """
            Label every few slices (both classes), then run this: the painted voxels seed a random \
            walker (Grady 2006; scikit-image's random_walker, mode cg_j) on the scan's intensities, \
            solved by Jacobi-preconditioned conjugate gradients on a grid downsampled --downsample \
            times in-plane over the z range of the labelled slices and the labels' bounding box plus \
            --margin, then brought back to full resolution (trilinear probabilities, argmax; painted \
            voxels keep their label) and, with --refine (default), solved again at full resolution \
            between each pair of labelled slices in a band around class boundaries and where the \
            coarse result is uncertain. Writes PROJECT/segmentations/interp-<UTC time>.zarr (or -o ID) \
            with its pyramid and interpolation.json (provenance), ready for 'trowel mesh \
            --segmentation', 'eval' and 'export'. Voxels outside the labelled slices' z range stay 0 \
            (unlabelled): the walker interpolates between seeds, it cannot extrapolate. Larger \
            --beta makes intensity edges stronger barriers.
            """
    )

    @Argument(help: "The project folder.")
    var project: String

    @Option(help: "In-plane downsampling of the solve grid (1 = full resolution).")
    var downsample = 4

    @Option(help: "Downsampling along z (1 = every slice).")
    var downsampleZ = 1

    @Option(help: "Edge strength: weights are exp(-beta·Δ²/(10·std)), as scikit-image.")
    var beta = 130.0

    @Option(help: "Relative residual at which conjugate gradients stop.")
    var tolerance = 1e-3

    @Option(help: "Iteration cap per class (default: 10 × the voxels solved, as scipy).")
    var maxIterations: Int?

    @Option(help: "Voxels added around the labels' in-plane bounding box.")
    var margin = 32

    @Flag(inversion: .prefixedNo, help: "After a coarse solve, solve again at full resolution near class boundaries and where the coarse result is uncertain.")
    var refine = true

    @Option(help: "With --refine: voxels whose upsampled class probability is below this are solved again.")
    var bandThreshold = 0.9

    @Option(name: .shortAndLong, help: "Id of the new segmentation (default: interp-<UTC timestamp>).")
    var output: String?

    @Flag(help: "Print one JSON object.")
    var json = false

    func run() throws {
        try reportingErrors {
            let project = try Project.open(at: URL(fileURLWithPath: self.project))
            try project.requireWritable(for: "interpolating (a new segmentation)")
            let options = LabelInterpolation.Options(downsample: downsample, downsampleZ: downsampleZ, beta: beta,
                                                     tolerance: tolerance, maxIterations: maxIterations, margin: margin, id: output,
                                                     refine: refine, bandThreshold: bandThreshold)
            let json = self.json
            let result = try LabelInterpolation(project: project, options: options).run { phase in
                if !json { Terminal.showProgress("interpolating: \(phase)") }
            }
            Terminal.clearProgressLine()
            if json {
                print(try JSONOutput.text(result))
            } else {
                let slices = result.labelledSlices
                let counts = result.classes.map { "\($0.name) \($0.voxels)" }.joined(separator: ", ")
                print("wrote \(result.output)")
                print("segmentation \(result.segmentation): slices \(slices.first!)…\(slices.last!) from \(slices.count) labelled slice(s); "
                      + "\(result.voxelsSolved) voxels solved on a \(result.gridShape.map(String.init).joined(separator: "×")) grid, "
                      + "\(result.iterations.map(String.init).joined(separator: "+")) iterations"
                      + (result.converged ? "" : " (NOT converged: raise --max-iterations or --tolerance)")
                      + (result.refinedVoxels > 0 ? ", \(result.refinedVoxels) voxels refined at full resolution" : "")
                      + String(format: ", %.2f s (solve %.2f s, refine %.2f s)", result.seconds, result.solveSeconds, result.refineSeconds))
                print("voxels: \(counts); outside slices \(slices.first!)…\(slices.last!) left unlabelled (0)")
            }
        }
    }
}
