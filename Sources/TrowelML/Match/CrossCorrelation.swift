import Foundation

/// Normalised cross-correlation of two images by the direct formula
/// Σ(a − ā)(b − b̄) / √(Σ(a − ā)² · Σ(b − b̄)²): 1 for images equal up to brightness and contrast,
/// −1 for inverted ones, about 0 for unrelated ones. Blind to a linear change of grey values,
/// which is why the matcher optimises it.
public enum CrossCorrelation {
    /// NCC over the pixels where `valid` is true (all when nil); nil when fewer than two pixels
    /// count or either image is flat there.
    public static func of(_ a: [Double], _ b: [Double], valid: [Bool]? = nil) -> Double? {
        precondition(a.count == b.count, "CrossCorrelation: sizes differ")
        var n = 0.0, sa = 0.0, sb = 0.0
        for i in a.indices where valid?[i] ?? true { n += 1; sa += a[i]; sb += b[i] }
        guard n >= 2 else { return nil }
        let ma = sa / n, mb = sb / n
        var saa = 0.0, sbb = 0.0, sab = 0.0
        for i in a.indices where valid?[i] ?? true {
            let da = a[i] - ma, db = b[i] - mb
            saa += da * da; sbb += db * db; sab += da * db
        }
        guard saa > 0, sbb > 0 else { return nil }
        return sab / (saa * sbb).squareRoot()
    }

    /// The same from running sums (count, Σa, Σb, Σa², Σb², Σab), as the matcher's inner loop
    /// accumulates them; nil for fewer than two pixels or a flat image.
    static func of(count n: Double, sa: Double, sb: Double, saa: Double, sbb: Double, sab: Double) -> Double? {
        guard n >= 2 else { return nil }
        let va = saa - sa * sa / n, vb = sbb - sb * sb / n
        guard va > 1e-12 * max(1, saa), vb > 1e-12 * max(1, sbb) else { return nil }
        return (sab - sa * sb / n) / (va * vb).squareRoot()
    }
}
