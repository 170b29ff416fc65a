import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Who writes a temporary file or a staging folder, so a later run can tell the leftovers of a
/// killed process (`kill -9`, a crash, a power cut) from the files of one still at work — on this
/// host or, on a shared filesystem, another.
public enum FileOwner {
    /// This host's name, without the characters the owner tag uses as separators.
    public static let host: String = {
        var buffer = [CChar](repeating: 0, count: 256)
        let name = gethostname(&buffer, buffer.count) == 0 ? String(cString: buffer) : "localhost"
        return String(name.map { $0 == "~" || $0 == "/" || $0 == "\n" ? "_" : $0 })
    }()

    /// `host~pid~`: put in temporary file names by this process.
    public static var tag: String { "\(host)~\(getpid())~" }

    /// False only when `pid` certainly does not exist on this host.
    public static func isAlive(pid: Int) -> Bool {
        guard pid > 0, let id = pid_t(exactly: pid) else { return false }
        return !(kill(id, 0) != 0 && errno == ESRCH)
    }

    /// Whether a file owned by (`host`, `pid`) is abandoned: its process is dead on this host, or
    /// (another host's, or an unknown owner's) it is older than `age` seconds, much longer than
    /// any single write takes.
    static func isAbandoned(host owner: String?, pid: Int?, modified: Date?, age: TimeInterval) -> Bool {
        if owner == host, let pid { return !isAlive(pid: pid) }
        guard let modified else { return false }
        return Date().timeIntervalSince(modified) > age
    }
}

/// Removes the temporary files (`.trowel-tmp-*`) that an atomic write leaves behind when its process
/// is killed between creating the file and renaming it into place.
public enum AbandonedFiles {
    /// Temporary files of another host (or from before names carried an owner) older than this are
    /// abandoned: a chunk write takes milliseconds.
    public static let temporaryFileAge: TimeInterval = 3600

    /// Removes the abandoned temporary files anywhere under `folder`; returns how many.
    @discardableResult
    public static func removeTemporaryFiles(under folder: URL, olderThan age: TimeInterval = temporaryFileAge) -> Int {
        let fm = FileManager.default
        guard let walk = fm.enumerator(at: folder, includingPropertiesForKeys: [.contentModificationDateKey, .isRegularFileKey]) else { return 0 }
        var removed = 0
        for case let url as URL in walk {
            let name = url.lastPathComponent
            guard name.hasPrefix(AtomicFile.temporaryPrefix) else { continue }
            let values = try? url.resourceValues(forKeys: [.contentModificationDateKey, .isRegularFileKey])
            guard values?.isRegularFile == true else { continue }
            let (host, pid) = owner(ofTemporary: name)
            if FileOwner.isAbandoned(host: host, pid: pid, modified: values?.contentModificationDate, age: age),
               (try? fm.removeItem(at: url)) != nil {
                removed += 1
            }
        }
        return removed
    }

    /// The host and pid in a temporary file's name (`.trowel-tmp-host~pid~name-uuid`), nil for the
    /// older names without them.
    static func owner(ofTemporary name: String) -> (String?, Int?) {
        let parts = name.dropFirst(AtomicFile.temporaryPrefix.count).split(separator: "~", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, let pid = Int(parts[1]) else { return (nil, nil) }
        return (String(parts[0]), pid)
    }
}
