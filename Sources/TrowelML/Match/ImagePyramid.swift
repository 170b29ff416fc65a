import Foundation

/// The image to be located, as the matcher uses it: binned copies at any factor (normalised to
/// zero mean and unit spread, which NCC and SSIM do not see but which keeps single-precision sums
/// exact enough), and the shape of its Otsu mask at about `shapeSide` pixels (area and centroid
/// in full-resolution pixels).
struct ImagePyramid {
    let full: GreyPlane
    let shape: MaskSignature
    /// Mask pixels at full resolution.
    let area: Double
    let centroid: (row: Double, column: Double)

    init(_ image: GreyPlane, shapeSide: Int) throws {
        full = image
        let bin = max(1, (max(image.height, image.width) + shapeSide - 1) / shapeSide)
        let small = image.boxDownsampled(by: bin)
        guard let shape = MaskSignature(small, threshold: Float(PoseComparison.otsuThreshold(small.values.map(Double.init)))) else {
            throw SectionMatchError.noShape
        }
        self.shape = shape
        area = shape.area * Double(bin * bin)
        centroid = ((shape.centroid.row + 0.5) * Double(bin) - 0.5, (shape.centroid.column + 0.5) * Double(bin) - 0.5)
    }

    var fullSize: (height: Int, width: Int) { (full.height, full.width) }

    /// The image binned `factor` × `factor`, normalised.
    func binned(_ factor: Int) -> GreyPlane { Self.normalise(full.boxDownsampled(by: factor)) }

    /// `plane` shifted and scaled to mean 0 and standard deviation 1 (unchanged when flat).
    static func normalise(_ plane: GreyPlane) -> GreyPlane {
        var s = 0.0, ss = 0.0
        for v in plane.values { s += Double(v); ss += Double(v) * Double(v) }
        let n = Double(max(1, plane.count)), mean = s / n, sd = max(ss / n - mean * mean, 0).squareRoot()
        guard sd > 0 else { return plane }
        return GreyPlane(height: plane.height, width: plane.width, values: plane.values.map { Float((Double($0) - mean) / sd) })
    }
}
