/// Voxel element types Trowel stores and reads (the numpy names scientists know).
public enum DType: String, CaseIterable, Sendable, Codable, CustomStringConvertible {
    case u8, u16, i16, u32, i32, f32, f64

    /// Bytes per element.
    public var size: Int {
        switch self {
        case .u8: return 1
        case .u16, .i16: return 2
        case .u32, .i32, .f32: return 4
        case .f64: return 8
        }
    }

    public var isFloatingPoint: Bool { self == .f32 || self == .f64 }

    /// The full value range of an integer type; floats report nil (their range comes from the data).
    public var integerRange: ClosedRange<Double>? {
        switch self {
        case .u8: return 0...255
        case .u16: return 0...65535
        case .i16: return -32768...32767
        case .u32: return 0...4_294_967_295
        case .i32: return -2_147_483_648...2_147_483_647
        case .f32, .f64: return nil
        }
    }

    /// numpy / Zarr v3 name: `uint16`, `float32`, …
    public var numpyName: String {
        switch self {
        case .u8: return "uint8"
        case .u16: return "uint16"
        case .i16: return "int16"
        case .u32: return "uint32"
        case .i32: return "int32"
        case .f32: return "float32"
        case .f64: return "float64"
        }
    }

    /// Accepts `u16`, `uint16`, `int16`, `f32`, `float32`, `float`, `double`, `uint8`, …
    public init?(parsing text: String) {
        let t = text.lowercased()
        if let d = DType(rawValue: t) { self = d; return }
        if let d = DType.allCases.first(where: { $0.numpyName == t }) { self = d; return }
        switch t {
        case "float": self = .f32
        case "double": self = .f64
        case "byte", "uchar": self = .u8
        default: return nil
        }
    }

    public var description: String { numpyName }
}

/// Byte order of stored values.
public enum ByteOrder: String, Sendable, Codable {
    case little, big

    /// The order of this machine.
    public static var native: ByteOrder {
        1.littleEndian == 1 ? .little : .big
    }
}
