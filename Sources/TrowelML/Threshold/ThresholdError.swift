/// Why a threshold could not be computed.
public enum ThresholdError: Error, Equatable, CustomStringConvertible {
    case empty
    case tooFewValues(found: Int, classes: Int)
    case badClassCount(Int)

    public var description: String {
        switch self {
        case .empty: return "threshold: no values to threshold"
        case .tooFewValues(let n, let k):
            return "threshold: the data has only \(n) different value(s) after binning; it cannot be split into \(k) classes"
        case .badClassCount(let k): return "threshold: multi-Otsu needs 2 to 8 classes, not \(k)"
        }
    }
}
