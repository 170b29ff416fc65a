import Foundation

/// Builds a folder under a hidden name beside its destination (`.name.partial-<pid>`) and renames it
/// into place only once `body` has finished, so a failure, Ctrl-C or crash never leaves a
/// half-written result under the real name; the staging folder is removed when `body` throws.
public enum StagedFolder {
    /// The hidden folder this process builds `url` in.
    public static func stagingURL(for url: URL) -> URL {
        url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).partial-\(getpid())")
    }

    public static func build<T>(at url: URL, _ body: (URL) throws -> T) throws -> T {
        let fm = FileManager.default
        let staging = stagingURL(for: url)
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
