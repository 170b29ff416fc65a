import Foundation
import TrowelMLKernels
import TrowelMLKernelsAVX2

/// Which compiled copy of the forest traversal runs: the AVX2 one where the CPU has AVX2 and FMA
/// (measured about 25 % less CPU time per voxel than SSE2), else the portable one.
/// `TROWEL_CPU=baseline` forces the portable copy (to compare the two, or to rule one out).
enum ForestKernels {
    /// Whether the AVX2 copy may run on this CPU.
    static let avx2: Bool = {
        if ProcessInfo.processInfo.environment["TROWEL_CPU"] == "baseline" { return false }
        return CPUFeatures.current.supportsHaswell
    }()

    static func predict(_ forest: ForestTraversal, _ x: UnsafePointer<Float>, width: Int, rows: Int,
                        featureCount: Int, into out: UnsafeMutablePointer<Float>, allowAVX2: Bool = true) {
        if allowAVX2 && avx2 {
            predictWithAVX2(forest, x, width: width, rows: rows, featureCount: featureCount, into: out)
        } else {
            forest.predict(x, width: width, rows: rows, featureCount: featureCount, into: out)
        }
    }
}
