import Foundation
import TrowelVolume

/// Loads the raw fixtures written by Scripts/make-ml-fixtures.py.
enum Fixtures {
    static func data(_ name: String) throws -> Data {
        guard let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures") else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: name])
        }
        return try Data(contentsOf: url)
    }

    static func u8(_ name: String, shape: Shape) throws -> Block<UInt8> {
        let d = try data(name)
        precondition(d.count == shape.voxelCount, "\(name): \(d.count) bytes for \(shape)")
        return Block(shape: shape, elements: [UInt8](d))
    }

    static func f32(_ name: String) throws -> [Float] {
        let d = try data(name)
        return d.withUnsafeBytes { raw in
            (0..<(d.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        }
    }
}
