import TrowelVolume

/// Finite-difference stencils on one x-row of a float volume, as numpy's `gradient` (central
/// differences, one-sided at the ends) and scipy's Sobel (`mode="reflect"`) compute them.
/// Rows are addressed by (z, y); x values are written at their own index in `dst`, only over `range`.
struct RowStencils {
    let shape: Shape

    @inline(__always) func row(_ g: UnsafePointer<Float>, _ z: Int, _ y: Int) -> UnsafePointer<Float> {
        g + (z * shape.y + y) * shape.x
    }

    /// numpy `gradient` neighbours of index `i` on an axis of length `n`: (after, before, scale).
    @inline(__always) static func neighbours(_ i: Int, _ n: Int) -> (Int, Int, Float) {
        if n < 2 { return (i, i, 0) }
        if i == 0 { return (1, 0, 1) }
        if i == n - 1 { return (n - 1, n - 2, 1) }
        return (i + 1, i - 1, 0.5)
    }

    /// Length of the axis (0 = z, 1 = y, 2 = x).
    @inline(__always) func length(_ axis: Int) -> Int {
        axis == 0 ? shape.z : (axis == 1 ? shape.y : shape.x)
    }

    /// d/dx of a row (numpy `gradient` along x), for x in `range`.
    @inline(__always)
    func dx(_ s: UnsafePointer<Float>, _ d: UnsafeMutablePointer<Float>, _ range: Range<Int>) {
        let n = shape.x
        if range.isEmpty { return }
        if n < 2 {
            for x in range { d[x] = 0 }
            return
        }
        var lo = range.lowerBound, hi = range.upperBound
        if lo == 0 { d[0] = s[1] - s[0]; lo = 1 }
        if hi == n { d[n - 1] = s[n - 1] - s[n - 2]; hi = n - 1 }
        if lo < hi {
            for x in lo..<hi { d[x] = (s[x + 1] - s[x - 1]) * 0.5 }
        }
    }

    /// numpy `gradient` of volume `g` along `axis` (0 = z, 1 = y, 2 = x) at row (z, y), for x in `range`.
    @inline(__always)
    func derivative(_ axis: Int, _ g: UnsafePointer<Float>, _ z: Int, _ y: Int,
                    _ d: UnsafeMutablePointer<Float>, _ range: Range<Int>) {
        if axis == 2 {
            dx(row(g, z, y), d, range)
            return
        }
        let (after, before, scale) = RowStencils.neighbours(axis == 0 ? z : y, length(axis))
        let a = axis == 0 ? row(g, after, y) : row(g, z, after)
        let b = axis == 0 ? row(g, before, y) : row(g, z, before)
        for x in range { d[x] = (a[x] - b[x]) * scale }
    }

    /// Hessian element `gradient(gradient(g)[a], axis=b)` (scikit-image's `_texture_filter`) at row (z, y).
    /// `t1`, `t2` are scratch rows.
    @inline(__always)
    func hessian(_ a: Int, _ b: Int, _ g: UnsafePointer<Float>, _ z: Int, _ y: Int,
                 _ d: UnsafeMutablePointer<Float>, _ range: Range<Int>,
                 _ t1: UnsafeMutablePointer<Float>, _ t2: UnsafeMutablePointer<Float>) {
        if b == 2 {
            let wide = max(0, range.lowerBound - 1)..<min(shape.x, range.upperBound + 1)
            derivative(a, g, z, y, t1, wide)
            dx(UnsafePointer(t1), d, range)
            return
        }
        // b is z or y: difference of the a-derivative at the rows before and after along b.
        let (after, before, scale) = RowStencils.neighbours(b == 0 ? z : y, length(b))
        if scale == 0 {
            for x in range { d[x] = 0 }
            return
        }
        if b == 0 {
            derivative(a, g, after, y, t1, range)
            derivative(a, g, before, y, t2, range)
        } else {
            derivative(a, g, z, after, t1, range)
            derivative(a, g, z, before, t2, range)
        }
        for x in range { d[x] = (t1[x] - t2[x]) * scale }
    }

    /// Sobel gradient magnitude (scikit-image `filters.sobel`: kernels [1, 0, -1] ⊗ [1, 2, 1]/4,
    /// magnitude √(Σ s²/ndim), reflect at the edges) of the 2D slice z (`volumetric` false) or of the
    /// volume, at row (z, y). `t1`…`t3` are scratch rows.
    @inline(__always)
    func sobel(_ g: UnsafePointer<Float>, _ z: Int, _ y: Int, volumetric: Bool,
               _ d: UnsafeMutablePointer<Float>, _ range: Range<Int>,
               _ t1: UnsafeMutablePointer<Float>, _ t2: UnsafeMutablePointer<Float>, _ t3: UnsafeMutablePointer<Float>) {
        let nx = shape.x, ny = shape.y, nz = shape.z
        let wide = max(0, range.lowerBound - 1)..<min(nx, range.upperBound + 1)
        let ym = max(0, y - 1), yp = min(ny - 1, y + 1)
        if !volumetric {
            let r0 = row(g, z, ym), r1 = row(g, z, y), r2 = row(g, z, yp)
            for x in wide {
                t1[x] = (r0[x] + 2 * r1[x] + r2[x]) * 0.25   // smoothed across y, for the x edge
                t2[x] = r2[x] - r0[x]                        // edge across y, smoothed along x below
            }
            for x in range {
                let xm = max(0, x - 1), xp = min(nx - 1, x + 1)
                let sx = t1[xp] - t1[xm]
                let sy = (t2[xm] + 2 * t2[x] + t2[xp]) * 0.25
                d[x] = ((sx * sx + sy * sy) / 2).squareRoot()
            }
            return
        }
        let zm = max(0, z - 1), zp = min(nz - 1, z + 1)
        // Rows (z', y') for z' in zm, z, zp and y' in ym, y, yp.
        let a0 = row(g, zm, ym), a1 = row(g, zm, y), a2 = row(g, zm, yp)
        let b0 = row(g, z, ym), b1 = row(g, z, y), b2 = row(g, z, yp)
        let c0 = row(g, zp, ym), c1 = row(g, zp, y), c2 = row(g, zp, yp)
        for x in wide {
            // x edge: smoothed over z and y; y edge: smoothed over z; z edge: smoothed over y.
            let sa = (a0[x] + 2 * a1[x] + a2[x]) * 0.25
            let sb = (b0[x] + 2 * b1[x] + b2[x]) * 0.25
            let sc = (c0[x] + 2 * c1[x] + c2[x]) * 0.25
            t1[x] = (sa + 2 * sb + sc) * 0.25
            t2[x] = ((a2[x] - a0[x]) + 2 * (b2[x] - b0[x]) + (c2[x] - c0[x])) * 0.25
            t3[x] = ((c0[x] - a0[x]) + 2 * (c1[x] - a1[x]) + (c2[x] - a2[x])) * 0.25
        }
        for x in range {
            let xm = max(0, x - 1), xp = min(nx - 1, x + 1)
            let sx = t1[xp] - t1[xm]
            let sy = (t2[xm] + 2 * t2[x] + t2[xp]) * 0.25
            let sz = (t3[xm] + 2 * t3[x] + t3[xp]) * 0.25
            d[x] = ((sx * sx + sy * sy + sz * sz) / 3).squareRoot()
        }
    }
}
