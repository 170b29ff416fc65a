/// Why slices could not be written: one line naming the file and what went wrong.
public enum ExportError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file could not be created or written (the library's or system's reason).
    case cannotWrite(file: String, reason: String)
    /// The format cannot store this dtype (PNG holds only 8- and 16-bit unsigned grey).
    case unsupportedDType(file: String, dtype: DType, format: String, supported: String)

    public var file: String {
        switch self {
        case .cannotWrite(let file, _), .unsupportedDType(let file, _, _, _): return file
        }
    }

    public var description: String {
        switch self {
        case .cannotWrite(let file, let reason):
            return "\(file): cannot write: \(reason)"
        case .unsupportedDType(let file, let dtype, let format, let supported):
            return "\(file): \(format) cannot store \(dtype) voxels (only \(supported))"
        }
    }
}
