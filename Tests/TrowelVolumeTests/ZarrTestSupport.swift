import Foundation
import Testing
@testable import TrowelVolume

/// A fresh folder under the system temporary directory, removed by `remove()`.
struct TemporaryFolder {
    let url: URL
    init() {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("trowel-zarr-tests-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    func callAsFunction(_ name: String) -> URL { url.appendingPathComponent(name) }
    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// Deterministic test values: distinct per voxel and within every dtype's range.
func testBlock(_ dtype: DType, shape: Shape, seed: Int = 0) -> AnyBlock {
    var values = [Double]()
    values.reserveCapacity(shape.voxelCount)
    for z in 0..<shape.z {
        for y in 0..<shape.y {
            for x in 0..<shape.x {
                let i = Double((z * 131 + y * 17 + x * 3 + seed * 7) % 251)
                switch dtype {
                case .i16, .i32: values.append(i - 120)
                case .f32, .f64: values.append((i - 100) * 0.25)
                default: values.append(i)
                }
            }
        }
    }
    return AnyBlock(Block<Double>(shape: shape, elements: values)).converted(dtype)
}

extension AnyBlock {
    /// The block re-typed to a run-time dtype.
    func converted(_ dtype: DType) -> AnyBlock {
        switch dtype {
        case .u8: return .u8(converted(to: UInt8.self))
        case .u16: return .u16(converted(to: UInt16.self))
        case .i16: return .i16(converted(to: Int16.self))
        case .u32: return .u32(converted(to: UInt32.self))
        case .i32: return .i32(converted(to: Int32.self))
        case .f32: return .f32(converted(to: Float.self))
        case .f64: return .f64(converted(to: Double.self))
        }
    }

    /// Every voxel's bit pattern (NaNs made canonical), for exact comparison across dtypes.
    var bitPatterns: [UInt64] {
        switch self {
        case .u8(let b): return b.elements.map { UInt64($0) }
        case .u16(let b): return b.elements.map { UInt64($0) }
        case .i16(let b): return b.elements.map { UInt64(UInt16(bitPattern: $0)) }
        case .u32(let b): return b.elements.map { UInt64($0) }
        case .i32(let b): return b.elements.map { UInt64(UInt32(bitPattern: $0)) }
        case .f32(let b): return b.elements.map { $0.isNaN ? UInt64.max : UInt64($0.bitPattern) }
        case .f64(let b): return b.elements.map { $0.isNaN ? UInt64.max : $0.bitPattern }
        }
    }

    /// The sub-box `box` (relative to this block).
    func cropped(to box: Box) -> AnyBlock {
        switch self {
        case .u8(let b): return .u8(b.cropped(to: box))
        case .u16(let b): return .u16(b.cropped(to: box))
        case .i16(let b): return .i16(b.cropped(to: box))
        case .u32(let b): return .u32(b.cropped(to: box))
        case .i32(let b): return .i32(b.cropped(to: box))
        case .f32(let b): return .f32(b.cropped(to: box))
        case .f64(let b): return .f64(b.cropped(to: box))
        }
    }
}

/// Runs `body` and returns the `ZarrError` it throws (recording an issue if it throws nothing else).
func zarrError(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) -> ZarrError? {
    do {
        try body()
        Issue.record("expected a ZarrError, nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as ZarrError {
        return error
    } catch {
        Issue.record("expected a ZarrError, got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}
