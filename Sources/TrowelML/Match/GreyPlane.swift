import Foundation

/// A 2D grey image (row-major Float values): an image to be located or a slice of the scan, at
/// whatever resolution the matcher works at. Small and copyable; the matcher's hot loops read
/// `values` through buffer pointers.
public struct GreyPlane: Sendable, Equatable {
    public let height: Int
    public let width: Int
    public var values: [Float]

    public init(height: Int, width: Int, values: [Float]) {
        precondition(values.count == height * width, "GreyPlane: \(values.count) values for \(height)×\(width)")
        self.height = height
        self.width = width
        self.values = values
    }

    /// A plane of `height` × `width` grey values given as doubles (what block conversions produce).
    public init(height: Int, width: Int, doubles: [Double]) {
        self.init(height: height, width: width, values: doubles.map { Float($0) })
    }

    public var count: Int { values.count }

    /// The value at (`row`, `column`).
    public subscript(row: Int, column: Int) -> Float { values[row * width + column] }

    /// The smallest and largest value.
    public var range: ClosedRange<Float> {
        var lo = Float.infinity, hi = -Float.infinity
        for v in values { lo = min(lo, v); hi = max(hi, v) }
        return lo...hi
    }

    /// Means of `factor` × `factor` blocks (a partial last row or column of blocks averages what it
    /// has): the in-plane equivalent of a pyramid level, so a fine slice can be compared at a
    /// coarse image's pixel size without aliasing.
    public func boxDownsampled(by factor: Int) -> GreyPlane {
        guard factor > 1 else { return self }
        let h = (height + factor - 1) / factor, w = (width + factor - 1) / factor
        var sums = [Float](repeating: 0, count: h * w), counts = [Float](repeating: 0, count: h * w)
        values.withUnsafeBufferPointer { v in
            for r in 0..<height {
                let row = (r / factor) * w
                for c in 0..<width {
                    sums[row + c / factor] += v[r * width + c]
                    counts[row + c / factor] += 1
                }
            }
        }
        for i in sums.indices { sums[i] /= counts[i] }
        return GreyPlane(height: h, width: w, values: sums)
    }

    /// The plane resampled to `height` × `width` by bilinear interpolation of pixel centres
    /// (after a box filter when shrinking by 2× or more, so shrinking does not alias).
    public func resized(height newHeight: Int, width newWidth: Int) -> GreyPlane {
        let factor = min(height / max(1, newHeight), width / max(1, newWidth))
        let source = factor >= 2 ? boxDownsampled(by: factor) : self
        let sy = Double(source.height) / Double(newHeight), sx = Double(source.width) / Double(newWidth)
        var out = [Float](repeating: 0, count: newHeight * newWidth)
        for r in 0..<newHeight {
            for c in 0..<newWidth {
                let y = (Double(r) + 0.5) * sy - 0.5, x = (Double(c) + 0.5) * sx - 0.5
                out[r * newWidth + c] = source.clampedSample(y: y, x: x)
            }
        }
        return GreyPlane(height: newHeight, width: newWidth, values: out)
    }

    /// Bilinear value at (`y`, `x`) (pixel centres at integers), the nearest edge value outside.
    public func clampedSample(y: Double, x: Double) -> Float {
        let yc = min(max(y, 0), Double(height - 1)), xc = min(max(x, 0), Double(width - 1))
        return sample(y: yc, x: xc) ?? values[0]
    }

    /// Bilinear value at (`y`, `x`), or nil outside the pixel centres' hull.
    @inline(__always)
    public func sample(y: Double, x: Double) -> Float? {
        guard y >= 0, x >= 0, y <= Double(height - 1), x <= Double(width - 1) else { return nil }
        let r = min(Int(y), height - 2 < 0 ? 0 : height - 2), c = min(Int(x), width - 2 < 0 ? 0 : width - 2)
        let fy = Float(y - Double(r)), fx = Float(x - Double(c))
        let r1 = min(r + 1, height - 1), c1 = min(c + 1, width - 1)
        let a = values[r * width + c], b = values[r * width + c1]
        let d = values[r1 * width + c], e = values[r1 * width + c1]
        return (a + (b - a) * fx) * (1 - fy) + (d + (e - d) * fx) * fy
    }
}

extension GreyPlane {
    /// The `height` × `width` image that `pose` says this slice shows (bilinear; `fill` where the
    /// image reaches past the slice): how test images and benchmark inputs are made, and how the
    /// matcher's convention can be checked by eye.
    public func section(at pose: SectionPose, height: Int, width: Int, fill: Float) -> GreyPlane {
        var out = [Float](repeating: fill, count: height * width)
        for r in 0..<height {
            for c in 0..<width {
                let q = pose.slicePoint(row: Double(r), column: Double(c), image: (height, width), slice: (self.height, self.width))
                if let v = sample(y: q.row, x: q.column) { out[r * width + c] = v }
            }
        }
        return GreyPlane(height: height, width: width, values: out)
    }

    /// The size of canvas that holds this whole slice turned by `angle` degrees and magnified `scale` times.
    public func canvas(angle: Double, scale: Double) -> (height: Int, width: Int) {
        let t = angle * .pi / 180, c = Swift.abs(Foundation.cos(t)), s = Swift.abs(Foundation.sin(t))
        return (Int(((Double(height) * c + Double(width) * s) * scale).rounded(.up)) + 2,
                Int(((Double(height) * s + Double(width) * c) * scale).rounded(.up)) + 2)
    }
}
