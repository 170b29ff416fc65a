/// Why `trowel match` could not run; one line naming the file and what is wrong.
public enum SectionLocatorError: Error, Equatable, CustomStringConvertible {
    case image(file: String, reason: String)
    case badAxis(String)

    public var description: String {
        switch self {
        case .image(let file, let reason): return "\(file): \(reason)"
        case .badAxis(let text): return "--axis \(text): give x, y, z or any"
        }
    }
}
