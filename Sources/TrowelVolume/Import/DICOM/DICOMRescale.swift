/// RescaleSlope and RescaleIntercept: what turns stored samples into the values they stand for
/// (Hounsfield units for CT), applied on import so the project holds real values.
public struct DICOMRescale: Hashable, Sendable {
    public var slope: Double
    public var intercept: Double

    public init(slope: Double = 1, intercept: Double = 0) {
        self.slope = slope
        self.intercept = intercept
    }

    /// Whether integer samples stay integers (integral slope and intercept), so no precision is lost
    /// storing them as integers.
    public var keepsIntegers: Bool { slope == slope.rounded() && intercept == intercept.rounded() }

    /// The values `stored` samples map to, lowest first (a negative slope swaps the ends).
    public func values(of stored: ClosedRange<Double>) -> ClosedRange<Double> {
        let a = stored.lowerBound * slope + intercept, b = stored.upperBound * slope + intercept
        return min(a, b)...max(a, b)
    }
}
