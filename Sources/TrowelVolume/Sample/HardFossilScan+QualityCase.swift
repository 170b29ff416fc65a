import Foundation

extension HardFossilScan {
    /// The benchmark case of this scan: the mode's labelled slices, and the slices scored.
    public var qualityCase: QualityCase {
        let labelled = mode.labelledSlices(depth: shape.z)
        return QualityCase(
            name: mode.rawValue, description: mode.summary, source: "generated: \(mode.rawValue) seed \(seed)",
            labelledSlices: labelled, scoredSlices: QualityCase.scoredSlices(depth: shape.z, labelled: labelled))
    }

    /// Generates the whole scan and its truth and writes them as a quality-benchmark folder.
    public func writeQualityCase(to folder: URL) throws {
        let range = 0..<shape.z
        try qualityCase.write(image: try readSlices(range), truth: truthSlices(range), to: folder)
    }
}
