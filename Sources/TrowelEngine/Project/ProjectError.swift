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
    /// project.sqlite is truncated or corrupt; `trowel repair` rebuilds it from the files beside it.
    case damaged(String, String)

    /// The same error about `replacement` where it named the folder `path` (or a file inside it):
    /// a project built in a hidden staging folder reports faults under the name the user gave.
    public func replacingPath(_ path: String, with replacement: String) -> ProjectError {
        func fix(_ p: String) -> String { p.hasPrefix(path) ? replacement + p.dropFirst(path.count) : p }
        func fixText(_ t: String) -> String { t.replacingOccurrences(of: path, with: replacement) }
        switch self {
        case .missing(let p): return .missing(fix(p))
        case .notAProject(let p): return .notAProject(fix(p))
        case .exists(let p): return .exists(fix(p))
        case .unwritable(let p, let why): return .unwritable(fix(p), fixText(why))
        case .newerSchema(let p): return .newerSchema(fix(p))
        case .database(let p, let why): return .database(fix(p), fixText(why))
        case .cancelled(let p): return .cancelled(fix(p))
        case .readOnly(let p, let action): return .readOnly(fix(p), action)
        case .olderSchemaReadOnly(let p): return .olderSchemaReadOnly(fix(p))
        case .damaged(let p, let why): return .damaged(fix(p), fixText(why))
        case .classExists, .noSuchClass, .tooManyClasses: return self
        }
    }

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
        case .damaged(let p, let why):
            return "\(p)/project.sqlite is damaged (\(why)); run 'trowel repair \(p)' to rebuild it from the scan, labels and models beside it"
        case .olderSchemaReadOnly(let p):
            return "\(p): made by an older Trowel and read-only here, so it cannot be brought up to date; open it once where you can write, or copy it (cp -r)"
        }
    }
}
