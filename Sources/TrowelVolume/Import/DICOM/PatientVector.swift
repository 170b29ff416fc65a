/// A point or direction in DICOM's patient coordinates (millimetres), for ordering slices along
/// the normal of their orientation.
public struct PatientVector: Hashable, Sendable, CustomStringConvertible {
    public var x: Double
    public var y: Double
    public var z: Double

    public init(x: Double, y: Double, z: Double) {
        self.x = x
        self.y = y
        self.z = z
    }

    init(_ tuple: (Double, Double, Double)) { self.init(x: tuple.0, y: tuple.1, z: tuple.2) }

    /// Component-wise sum: a position moved along a direction.
    public static func + (a: PatientVector, b: PatientVector) -> PatientVector { PatientVector(x: a.x + b.x, y: a.y + b.y, z: a.z + b.z) }
    /// The vector scaled by `s` (a direction times a distance).
    public static func * (a: PatientVector, s: Double) -> PatientVector { PatientVector(x: a.x * s, y: a.y * s, z: a.z * s) }

    /// The scalar product: a position's distance along a unit normal.
    public func dot(_ o: PatientVector) -> Double { x * o.x + y * o.y + z * o.z }

    /// The vector product: the slice normal from the row and column directions.
    public func cross(_ o: PatientVector) -> PatientVector {
        PatientVector(x: y * o.z - z * o.y, y: z * o.x - x * o.z, z: x * o.y - y * o.x)
    }

    /// The Euclidean length (1 for the unit direction cosines DICOM records).
    public var length: Double { dot(self).squareRoot() }

    /// Whether every component is within `tolerance` of `o`'s.
    public func isClose(to o: PatientVector, tolerance: Double) -> Bool {
        abs(x - o.x) <= tolerance && abs(y - o.y) <= tolerance && abs(z - o.z) <= tolerance
    }

    public var description: String {
        func f(_ v: Double) -> String {
            let r = (v * 1000).rounded() / 1000
            return r == r.rounded() ? String(Int(r)) : String(r)
        }
        return "(\(f(x)), \(f(y)), \(f(z)))"
    }
}
