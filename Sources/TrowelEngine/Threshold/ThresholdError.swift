/// Why `trowel threshold` could not run; one line naming the file or option at fault.
public enum ThresholdSegmentationError: Error, Equatable, CustomStringConvertible {
    case badSlice(String)
    case sliceOutside(String, depth: Int)
    case exists(String)
    case badID(String)
    case missingClasses(needed: Int, have: String)
    case threshold(String)

    public var description: String {
        switch self {
        case .badSlice(let text): return "--slice \(text): give axis:index, e.g. z:40"
        case .sliceOutside(let text, let depth): return "--slice \(text): outside the scan (0..<\(depth) along that axis)"
        case .exists(let path): return "\(path): a segmentation of that id exists; pick another -o"
        case .badID(let id): return "-o \(id): give a plain name (no '/')"
        case .missingClasses(let needed, let have):
            return "project.sqlite: labelling a slice with \(needed) classes needs class ids 1…\(needed); the project has \(have) (add classes in the viewer)"
        case .threshold(let why): return why
        }
    }
}
