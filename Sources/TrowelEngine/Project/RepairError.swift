/// Why `trowel repair` could not rebuild a project. One line each, naming the folder.
public enum RepairError: Error, CustomStringConvertible, Equatable {
    case missing(String)
    case noVolume(String, String)
    case readOnly(String)
    case cannotMoveAside(String, String)
    case rebuild(String, String)

    public var description: String {
        switch self {
        case .missing(let p): return "\(p): no such project folder"
        case .noVolume(let p, let why):
            return "\(p): volume.zarr cannot be read (\(why)), so there is no scan to rebuild the project around; convert the scan again"
        case .readOnly(let p): return "\(p): read-only (no permission to write in it); copy it somewhere you can write (cp -r) and repair the copy"
        case .cannotMoveAside(let p, let why): return "\(p): cannot move the damaged database aside (\(why)); nothing was changed"
        case .rebuild(let p, let why): return "\(p)/project.sqlite: cannot be rebuilt (\(why)); the damaged one was kept beside it"
        }
    }
}
