import Foundation

/// Where a 2D image lies on a slice: the image is the slice turned `angle` degrees
/// counter-clockwise (as seen on screen, rows down; scikit-image's `rotate` convention), magnified
/// `scale` times (image pixels per slice voxel), with the image's centre at `offset` (rows,
/// columns, in full-resolution voxels) from the slice's centre.
public struct SectionPose: Sendable, Equatable, Codable {
    public var angle: Double
    public var scale: Double
    public var offset: (dy: Double, dx: Double)

    public init(angle: Double, scale: Double, offset: (dy: Double, dx: Double)) {
        self.angle = angle
        self.scale = scale
        self.offset = offset
    }

    public static func == (a: SectionPose, b: SectionPose) -> Bool {
        a.angle == b.angle && a.scale == b.scale && a.offset.dy == b.offset.dy && a.offset.dx == b.offset.dx
    }

    enum CodingKeys: String, CodingKey { case angle, scale, offset }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        angle = try c.decode(Double.self, forKey: .angle)
        scale = try c.decode(Double.self, forKey: .scale)
        let o = try c.decode([Double].self, forKey: .offset)
        guard o.count == 2 else { throw DecodingError.dataCorruptedError(forKey: .offset, in: c, debugDescription: "offset needs [dy, dx]") }
        offset = (o[0], o[1])
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(angle, forKey: .angle)
        try c.encode(scale, forKey: .scale)
        try c.encode([offset.dy, offset.dx], forKey: .offset)
    }

    /// The angle folded into [0, 360).
    public var normalisedAngle: Double {
        let a = angle.truncatingRemainder(dividingBy: 360)
        return a < 0 ? a + 360 : a
    }

    /// The slice point (row, column; full-resolution voxels, pixel centres at integers) under the
    /// image pixel (`row`, `column`) of an `image`-sized image on a `slice`-sized slice.
    public func slicePoint(row: Double, column: Double, image: (height: Int, width: Int),
                           slice: (height: Int, width: Int)) -> (row: Double, column: Double) {
        let t = angle * .pi / 180, cosT = Foundation.cos(t), sinT = Foundation.sin(t)
        let dr = row - Double(image.height - 1) / 2, dc = column - Double(image.width - 1) / 2
        return (Double(slice.height - 1) / 2 + offset.dy + (dr * cosT + dc * sinT) / scale,
                Double(slice.width - 1) / 2 + offset.dx + (-dr * sinT + dc * cosT) / scale)
    }

    /// The image's four corners on the slice (top-left, top-right, bottom-right, bottom-left).
    public func footprint(image: (height: Int, width: Int), slice: (height: Int, width: Int)) -> [(row: Double, column: Double)] {
        let h = Double(image.height) - 0.5, w = Double(image.width) - 0.5
        return [(-0.5, -0.5), (-0.5, w), (h, w), (h, -0.5)].map {
            slicePoint(row: $0.0, column: $0.1, image: image, slice: slice)
        }
    }

    /// The pose whose image point `imagePoint` lands on slice point `slicePoint`, keeping angle and scale.
    public func aligning(imagePoint: (row: Double, column: Double), image: (height: Int, width: Int),
                         to slicePoint: (row: Double, column: Double), slice: (height: Int, width: Int)) -> SectionPose {
        var centred = self
        centred.offset = (0, 0)
        let p = centred.slicePoint(row: imagePoint.row, column: imagePoint.column, image: image, slice: slice)
        centred.offset = (slicePoint.row - p.row, slicePoint.column - p.column)
        return centred
    }

    /// The affine map from a working image grid (image pixels binned `imageFactor` × `imageFactor`)
    /// to a working slice grid (voxels binned `slicePixel` × `slicePixel`), both with pixel
    /// centres at integers: slice (y, x) = (a·r + b·c + e, f·r + g·c + h).
    func workingMap(image: (height: Int, width: Int), imageFactor: Int,
                    slice: (height: Int, width: Int), slicePixel: Double) -> WorkingMap {
        let t = angle * .pi / 180, cosT = Foundation.cos(t), sinT = Foundation.sin(t)
        let fi = Double(imageFactor), k = 1 / (scale * slicePixel)
        let er = 0.5 * fi - 0.5 - Double(image.height - 1) / 2, ec = 0.5 * fi - 0.5 - Double(image.width - 1) / 2
        let cy = Double(slice.height - 1) / 2 + offset.dy, cx = Double(slice.width - 1) / 2 + offset.dx
        return WorkingMap(a: k * fi * cosT, b: k * fi * sinT, e: k * (cosT * er + sinT * ec) + (cy + 0.5) / slicePixel - 0.5,
                          f: -k * fi * sinT, g: k * fi * cosT, h: k * (-sinT * er + cosT * ec) + (cx + 0.5) / slicePixel - 0.5)
    }
}

/// An affine map between working grids (see `SectionPose.workingMap`).
struct WorkingMap {
    var a, b, e, f, g, h: Double
}
