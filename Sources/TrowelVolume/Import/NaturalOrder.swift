/// Orders names as people expect: runs of digits compare by value, so `s2` < `s10`.
///
/// Names split into digit and non-digit runs. Digit runs compare numerically (any length);
/// other runs compare case-insensitively. When two names are equal by these rules
/// (`s010` vs `s10`, `A` vs `a`) plain code-unit order decides, so the order is total.
/// A name whose runs are a prefix of the other's sorts first, and digits sort before letters:
/// `s2` < `s10` < `s010a` < `s10a` < `s10b` (`s010a` and `s10a` tie on runs; code-unit order decides).
public enum NaturalOrder {
    /// True when `a` sorts before `b` in natural order.
    public static func areInIncreasingOrder(_ a: String, _ b: String) -> Bool {
        switch compare(a, b) {
        case .orderedAscending: return true
        case .orderedDescending: return false
        case .orderedSame: return Array(a.utf8).lexicographicallyPrecedes(Array(b.utf8))
        }
    }

    /// Compares by runs only (no tie-break).
    static func compare(_ a: String, _ b: String) -> Ordering {
        let ra = runs(a), rb = runs(b)
        for (x, y) in zip(ra, rb) {
            let order: Ordering
            switch (x, y) {
            case (.digits(let dx), .digits(let dy)): order = compareDigits(dx, dy)
            case (.text(let tx), .text(let ty)): order = compareText(tx, ty)
            case (.digits, .text): order = .orderedAscending   // numbers before letters, like Finder
            case (.text, .digits): order = .orderedDescending
            }
            if order != .orderedSame { return order }
        }
        return ra.count == rb.count ? .orderedSame : (ra.count < rb.count ? .orderedAscending : .orderedDescending)
    }

    enum Ordering { case orderedAscending, orderedSame, orderedDescending }

    enum Run {
        case digits([UInt8])
        case text([UInt8])
    }

    static func runs(_ s: String) -> [Run] {
        var out: [Run] = []
        var current: [UInt8] = []
        var inDigits = false
        for c in s.utf8 {
            let isDigit = c >= 0x30 && c <= 0x39
            if !current.isEmpty && isDigit != inDigits {
                out.append(inDigits ? .digits(current) : .text(current))
                current.removeAll(keepingCapacity: true)
            }
            inDigits = isDigit
            current.append(c)
        }
        if !current.isEmpty { out.append(inDigits ? .digits(current) : .text(current)) }
        return out
    }

    static func compareDigits(_ a: [UInt8], _ b: [UInt8]) -> Ordering {
        let x = a.drop(while: { $0 == 0x30 }), y = b.drop(while: { $0 == 0x30 })
        if x.count != y.count { return x.count < y.count ? .orderedAscending : .orderedDescending }
        for (p, q) in zip(x, y) where p != q { return p < q ? .orderedAscending : .orderedDescending }
        return .orderedSame
    }

    static func compareText(_ a: [UInt8], _ b: [UInt8]) -> Ordering {
        func lower(_ c: UInt8) -> UInt8 { c >= 0x41 && c <= 0x5A ? c + 32 : c }
        for (p, q) in zip(a, b) {
            let lp = lower(p), lq = lower(q)
            if lp != lq { return lp < lq ? .orderedAscending : .orderedDescending }
        }
        return a.count == b.count ? .orderedSame : (a.count < b.count ? .orderedAscending : .orderedDescending)
    }
}

extension Sequence where Element == String {
    /// The names in natural order (`s2` before `s10`).
    public func naturallySorted() -> [String] { sorted(by: NaturalOrder.areInIncreasingOrder) }
}
