import Foundation

/// Builds a folder under a hidden name beside its destination (`.name.partial-<pid>`) and renames it
/// into place only once `body` has finished, so a failure, Ctrl-C or crash never leaves a
/// half-written result under the real name; the staging folder is removed when `body` throws.
public enum StagedFolder {
    /// The hidden folder this process builds `url` in.
    public static func stagingURL(for url: URL) -> URL {
        url.deletingLastPathComponent().appendingPathComponent(prefix(for: url) + "\(getpid())")
    }

    /// `.NAME.partial-`, with NAME cut (on a character boundary) so that the staging folder's name
    /// stays within the 255 bytes a file name may have even when the output's own name is near
    /// that limit: otherwise a valid output name failed with an error about a hidden folder.
    static func prefix(for url: URL) -> String {
        var name = url.lastPathComponent
        while name.utf8.count > 255 - 20 { name.removeLast() }
        return ".\(name).partial-"
    }

    /// The file in a staging folder that names its owner (`host`, newline, `pid`).
    static let ownerFile = ".trowel-owner"

    /// Removes the staging folders of `url` that killed processes left behind (`kill -9`, a crash):
    /// those whose process is dead on this host. Another host's (a shared filesystem) stay.
    /// Returns the folders removed.
    @discardableResult
    public static func reclaimAbandoned(for url: URL) -> [URL] {
        let fm = FileManager.default
        let parent = url.deletingLastPathComponent()
        let prefix = prefix(for: url)
        var removed: [URL] = []
        for name in (try? fm.contentsOfDirectory(atPath: parent.path)) ?? [] where name.hasPrefix(prefix) {
            guard let pid = Int(name.dropFirst(prefix.count)), pid != Int(getpid()) else { continue }
            let folder = parent.appendingPathComponent(name)
            let owner = (try? String(contentsOf: folder.appendingPathComponent(ownerFile), encoding: .utf8))?
                .split(separator: "\n").first.map(String.init)
            // Folders from before they named their host are taken to be this host's.
            guard (owner ?? FileOwner.host) == FileOwner.host, !FileOwner.isAlive(pid: pid) else { continue }
            if (try? fm.removeItem(at: folder)) != nil { removed.append(folder) }
        }
        return removed
    }

    public static func build<T>(at url: URL, _ body: (URL) throws -> T) throws -> T {
        let fm = FileManager.default
        let staging = stagingURL(for: url)
        try? fm.removeItem(at: staging)
        reclaimAbandoned(for: url)
        do {
            try fm.createDirectory(at: staging, withIntermediateDirectories: true)
            try Data("\(FileOwner.host)\n\(getpid())\n".utf8).write(to: staging.appendingPathComponent(ownerFile))
            let result = try body(staging)
            try? fm.removeItem(at: staging.appendingPathComponent(ownerFile))
            try fm.moveItem(at: staging, to: url)
            return result
        } catch {
            try? fm.removeItem(at: staging)
            throw error
        }
    }
}
