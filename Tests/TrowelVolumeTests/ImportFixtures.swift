import Foundation
@testable import TrowelVolume

/// The import fixtures written by Scripts/make-import-fixtures.py, and the formula their values follow.
enum ImportFixtures {
    static let shape = Shape(z: 3, y: 17, x: 23)

    /// `Tests/TrowelVolumeTests/Fixtures/import/<name>` in the test bundle.
    static func url(_ name: String) -> URL {
        Bundle.module.resourceURL!.appendingPathComponent("Fixtures/import").appendingPathComponent(name)
    }

    static func path(_ name: String) -> String { url(name).path }

    /// The index every formula starts from (unique per voxel).
    static func base(_ z: Int, _ y: Int, _ x: Int) -> Int { z * 391 + y * 23 + x }

    static func u8(_ b: Int) -> UInt8 { UInt8((b * 37) % 256) }
    static func u16(_ b: Int) -> UInt16 { UInt16((b * 977 + 13) % 65536) }
    static func i16(_ b: Int) -> Int16 { Int16(Int(u16(b)) - 32768) }
    static func i8(_ b: Int) -> Int16 { Int16(Int(u8(b)) - 128) }
    static func u32(_ b: Int) -> UInt32 { UInt32((b * 2654435761) % (1 << 32)) }
    static func i32(_ b: Int) -> Int32 { Int32(Int(u32(b)) - (1 << 31)) }
    static func f32(_ b: Int) -> Float { Float(Double(b) * 0.5 - 300.25) }
    static func f64(_ b: Int) -> Double { Double(b) * 0.25 - 100.125 }

    /// Green and blue of the RGB fixtures (red is `u8` / `u16`).
    static func rgb8(_ b: Int) -> (Double, Double, Double) { (Double(u8(b)), Double((b * 59 + 7) % 256), Double((b * 101 + 3) % 256)) }
    static func rgb16(_ b: Int) -> (Double, Double, Double) {
        (Double(u16(b)), Double((b * 1237 + 5) % 65536), Double((b * 3001 + 17) % 65536))
    }

    /// The expected block over `range` of slices for a per-voxel formula.
    static func expected<T: VoxelScalar>(_ value: (Int) -> T) -> Block<T> { expected(0..<3, value) }

    static func expected<T: VoxelScalar>(_ range: Range<Int>, _ value: (Int) -> T) -> Block<T> {
        var out = Block<T>(shape: Shape(z: range.count, y: shape.y, x: shape.x), repeating: 0)
        for (k, z) in range.enumerated() {
            for y in 0..<shape.y {
                for x in 0..<shape.x { out[k, y, x] = value(base(z, y, x)) }
            }
        }
        return out
    }

    /// Luminance rounded like the readers do.
    static func grey<T: VoxelScalar>(_ rgb: (Double, Double, Double), as _: T.Type) -> T {
        T(clampingDouble: Luminance.of(red: rgb.0, green: rgb.1, blue: rgb.2))
    }

    /// A fresh empty temporary folder, removed by the caller.
    static func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("trowel-readers-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

extension AnyBlock {
    /// The elements as `T` if the block holds exactly that type.
    func elements<T: VoxelScalar>(as _: T.Type) -> [T]? {
        switch self {
        case .u8(let b): return b.elements as? [T]
        case .u16(let b): return b.elements as? [T]
        case .i16(let b): return b.elements as? [T]
        case .u32(let b): return b.elements as? [T]
        case .i32(let b): return b.elements as? [T]
        case .f32(let b): return b.elements as? [T]
        case .f64(let b): return b.elements as? [T]
        }
    }
}
