import Foundation

/// The physical size of one voxel in micrometres, (z, y, x). Scans are often isotropic, but
/// synchrotron stacks with a different slice spacing are common, so each axis is kept.
public struct VoxelSize: Hashable, Sendable, Codable, CustomStringConvertible {
    public var z: Double
    public var y: Double
    public var x: Double

    public init(z: Double, y: Double, x: Double) {
        self.z = z
        self.y = y
        self.x = x
    }

    public static func isotropic(_ micrometres: Double) -> VoxelSize { VoxelSize(z: micrometres, y: micrometres, x: micrometres) }

    /// One micrometre per voxel: what a scan without a recorded voxel size gets.
    public static let unit = VoxelSize.isotropic(1)

    public var array: [Double] { [z, y, x] }
    public var isIsotropic: Bool { z == y && y == x }

    /// Volume of one voxel in cubic micrometres.
    public var voxelVolume: Double { z * y * x }

    /// Parses `45.5um`, `45.5µm`, `0.0455mm`, `45.5` (micrometres), `50,45.5,45.5um` (z,y,x), `1.2nm`.
    public init(parsing text: String) throws(VoxelSizeError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(suffix: String, factor: Double)] = [
            ("µm", 1), ("μm", 1), ("um", 1), ("micron", 1), ("microns", 1), ("mm", 1000), ("nm", 0.001), ("m", 1e6),
        ]
        var numbers = trimmed
        var factor = 1.0
        for (suffix, f) in units.sorted(by: { $0.suffix.count > $1.suffix.count }) where trimmed.hasSuffix(suffix) {
            numbers = String(trimmed.dropLast(suffix.count)).trimmingCharacters(in: .whitespaces)
            factor = f
            break
        }
        let parts = numbers.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard !parts.isEmpty, parts.allSatisfy({ $0 != nil && $0! > 0 && $0!.isFinite }) else {
            throw VoxelSizeError(text: text)
        }
        let v = parts.map { $0! * factor }
        switch v.count {
        case 1: self = .isotropic(v[0])
        case 3: self.init(z: v[0], y: v[1], x: v[2])
        default: throw VoxelSizeError(text: text)
        }
    }

    public var description: String {
        func fmt(_ d: Double) -> String {
            d == d.rounded() ? String(Int(d)) : String(format: "%g", d)
        }
        return isIsotropic ? "\(fmt(x)) µm" : "\(fmt(z)) × \(fmt(y)) × \(fmt(x)) µm (z × y × x)"
    }
}

/// A voxel size that could not be read.
public struct VoxelSizeError: Error, CustomStringConvertible {
    public var text: String
    public var description: String {
        "voxel size '\(text)' not understood: give a positive length like 45.5um, 0.03mm or 50,45.5,45.5um (z,y,x)"
    }
}
