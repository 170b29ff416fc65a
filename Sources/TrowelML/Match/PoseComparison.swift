import Foundation

/// One image and one slice at working resolution, compared under a pose: the image binned
/// `imageFactor` × `imageFactor` and the slice binned to `slicePixel` voxels per pixel, the slice
/// sampled bilinearly under every image pixel. `score` is what the matcher climbs (NCC over the
/// overlap, scaled down when the overlap is smaller than it should be); `metrics` is what it reports.
struct PoseComparison {
    let image: GreyPlane
    let imageFactor: Int
    /// The image's full size.
    let imageSize: (height: Int, width: Int)
    let slice: GreyPlane
    let slicePixel: Double
    /// The slice's full-resolution size in voxels.
    let sliceSize: (height: Int, width: Int)

    /// NCC × min(1, overlap / expected overlap), −1 when the overlap is under a fifth of what it
    /// should be or either side is flat there.
    func score(_ pose: SectionPose) -> Double {
        let m = pose.workingMap(image: imageSize, imageFactor: imageFactor, slice: sliceSize, slicePixel: slicePixel)
        let h = image.height, w = image.width, sh = slice.height, sw = slice.width
        let maxY = Double(sh - 1), maxX = Double(sw - 1)
        var n = 0.0, sa = 0.0, sb = 0.0, saa = 0.0, sbb = 0.0, sab = 0.0
        image.values.withUnsafeBufferPointer { img in
            slice.values.withUnsafeBufferPointer { s in
                for r in 0..<h {
                    var y = m.a * Double(r) + m.e, x = m.f * Double(r) + m.h
                    var rowN = 0, rowA: Float = 0, rowB: Float = 0, rowAA: Float = 0, rowBB: Float = 0, rowAB: Float = 0
                    for c in 0..<w {
                        if y >= 0, x >= 0, y < maxY, x < maxX {
                            let yi = Int(y), xi = Int(x)
                            let fy = Float(y - Double(yi)), fx = Float(x - Double(xi))
                            let p = yi * sw + xi
                            let top = s[p] + (s[p + 1] - s[p]) * fx
                            let bottom = s[p + sw] + (s[p + sw + 1] - s[p + sw]) * fx
                            let b = top + (bottom - top) * fy
                            let a = img[r * w + c]
                            rowN += 1; rowA += a; rowB += b; rowAA += a * a; rowBB += b * b; rowAB += a * b
                        }
                        y += m.b; x += m.g
                    }
                    n += Double(rowN); sa += Double(rowA); sb += Double(rowB)
                    saa += Double(rowAA); sbb += Double(rowBB); sab += Double(rowAB)
                }
            }
        }
        let expected = min(Double(h * w), Double(sliceSize.height * sliceSize.width) * pose.scale * pose.scale
                                              / Double(imageFactor * imageFactor))
        guard n >= 0.2 * expected, let ncc = CrossCorrelation.of(count: n, sa: sa, sb: sb, saa: saa, sbb: sbb, sab: sab) else { return -1 }
        return ncc * min(1, n / max(1, 0.9 * expected))
    }

    /// SSIM, NCC and Dice of the image and the slice under `pose`, over their overlap: NCC on grey
    /// values; SSIM after mapping the image's grey values onto the slice's by a least-squares
    /// line (SSIM is not blind to contrast, and the two come from different instruments), with
    /// the slice's range over the overlap as data range; Dice of each one's own Otsu mask.
    func metrics(_ pose: SectionPose) -> (ssim: Double, ncc: Double, dice: Double, overlap: Int) {
        let m = pose.workingMap(image: imageSize, imageFactor: imageFactor, slice: sliceSize, slicePixel: slicePixel)
        let h = image.height, w = image.width
        var a = [Double](repeating: 0, count: h * w), b = a, valid = [Bool](repeating: false, count: h * w)
        for r in 0..<h {
            for c in 0..<w {
                let y = m.a * Double(r) + m.b * Double(c) + m.e, x = m.f * Double(r) + m.g * Double(c) + m.h
                let i = r * w + c
                a[i] = Double(image.values[i])
                if let v = slice.sample(y: y, x: x) { b[i] = Double(v); valid[i] = true }
            }
        }
        let overlap = valid.filter { $0 }.count
        guard overlap >= 2 else { return (0, 0, 0, overlap) }
        let ncc = CrossCorrelation.of(a, b, valid: valid) ?? 0
        // Least-squares line from image grey values onto the slice's.
        var n = 0.0, sa = 0.0, sb = 0.0, saa = 0.0, sab = 0.0, lo = Double.infinity, hi = -Double.infinity
        for i in a.indices where valid[i] {
            n += 1; sa += a[i]; sb += b[i]; saa += a[i] * a[i]; sab += a[i] * b[i]
            lo = min(lo, b[i]); hi = max(hi, b[i])
        }
        let va = saa - sa * sa / n
        let slope = va > 0 ? (sab - sa * sb / n) / va : 0, intercept = (sb - slope * sa) / n
        let fitted = a.map { slope * $0 + intercept }
        let ssim = StructuralSimilarity.mean(fitted, b, height: h, width: w, dataRange: max(hi - lo, 1e-12), valid: valid) ?? 0
        let imageMask = Self.otsuMask(a, valid: nil), sliceThreshold = Self.otsuThreshold(slice.values.map(Double.init))
        var both = 0, inImage = 0, inSlice = 0
        for i in a.indices where valid[i] {
            let s = b[i] > sliceThreshold
            if imageMask[i] { inImage += 1 }
            if s { inSlice += 1 }
            if s && imageMask[i] { both += 1 }
        }
        let dice = inImage + inSlice > 0 ? 2 * Double(both) / Double(inImage + inSlice) : 0
        return (ssim, ncc, dice, overlap)
    }

    /// Otsu's threshold of `values` (256 bins over their range); the minimum for flat values.
    static func otsuThreshold(_ values: [Double]) -> Double {
        (try? Otsu.threshold(IntensityHistogram(values, integral: false))) ?? (values.min() ?? 0)
    }

    static func otsuMask(_ values: [Double], valid: [Bool]?) -> [Bool] {
        let t = otsuThreshold(values)
        return values.map { $0 > t }
    }
}
