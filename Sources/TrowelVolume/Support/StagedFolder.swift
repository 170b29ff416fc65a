import Foundation

/// Builds a folder under a hidden name beside its destination (`.name.partial-<pid>`) and renames it
/// into place only once `body` has finished, so a failure, Ctrl-C or crash never leaves a
/// half-written result under the real name; the staging folder is removed when `body` throws.
public enum StagedFolder {
    public static func build<T>(at url: URL, _ body: (URL) throws -> T) throws -> T {
        let fm = FileManager.default
        let staging = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).partial-\(getpid())")
        try? fm.removeItem(at: staging)
        do {
            try fm.createDirectory(at: staging, withIntermediateDirectories: true)
            let result = try body(staging)
            try fm.moveItem(at: staging, to: url)
            return result
        } catch {
            try? fm.removeItem(at: staging)
            throw error
        }
    }
}
