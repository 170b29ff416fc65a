/// Why a project could not be opened, created or read. Each message is one line naming the folder.
public enum ProjectError: Error, CustomStringConvertible, Equatable {
    case missing(String)
    case notAProject(String)
    case exists(String)
    case unwritable(String, String)
    case newerSchema(String)
    case database(String, String)
    case cancelled(String)
    case classExists(String)
    case noSuchClass(Int)
    case tooManyClasses
    case readOnly(String, String)
    case olderSchemaReadOnly(String)

    public var description: String {
        switch self {
        case .missing(let p): return "\(p): no such project folder"
        case .notAProject(let p): return "\(p): not a Trowel project (no project.sqlite inside; create one with 'trowel convert')"
        case .exists(let p): return "\(p): already exists; choose another output name or remove it first"
        case .unwritable(let p, let why): return "\(p): cannot write here (\(why))"
        case .newerSchema(let p): return "\(p): made by a newer Trowel; update Trowel to open it"
        case .database(let p, let why): return "\(p)/project.sqlite: \(why)"
        case .cancelled(let p): return "\(p): cancelled; nothing was written"
        case .classExists(let name): return "a class called '\(name)' already exists"
        case .noSuchClass(let id): return "there is no class \(id)"
        case .tooManyClasses: return "all 255 class values are in use"
        case .readOnly(let p, let action):
            return "\(p): read-only (no permission to write in it), and \(action) must write to it; copy the project somewhere you can write (cp -r) or ask its owner"
        case .olderSchemaReadOnly(let p):
            return "\(p): made by an older Trowel and read-only here, so it cannot be brought up to date; open it once where you can write, or copy it (cp -r)"
        }
    }
}
