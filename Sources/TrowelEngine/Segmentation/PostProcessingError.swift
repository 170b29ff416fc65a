import Foundation

/// Why post-processing cannot run, as one actionable line.
public enum PostProcessingError: Error, Equatable, CustomStringConvertible {
    case tooLarge(voxels: Int)
    case badBlockSize(Int)
    case nothingToDo
    case badCount(option: String, value: Int)
    case sameID(String)
    case exists(String)

    public var description: String {
        switch self {
        case .tooLarge(let voxels):
            return "a post-processing block of \(voxels) voxels is too large (at most \(BlockComponents.maximumVoxels)): choose a smaller --block"
        case .badBlockSize(let side):
            return "--block \(side): give a positive block side in voxels"
        case .nothingToDo:
            return "nothing to do: give --min-size N, --keep-largest K or --fill-holes"
        case .badCount(let option, let value):
            return "\(option) \(value): give a positive number"
        case .sameID(let id):
            return "-o \(id) is the input segmentation: choose another id so the original is kept"
        case .exists(let path):
            return "\(path) already exists: delete it or choose another id with -o"
        }
    }
}
