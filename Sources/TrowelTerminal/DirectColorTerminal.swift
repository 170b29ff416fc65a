import Foundation
import TrowelUI

/// Chooses the terminfo entry that lets ncurses send 24-bit colour. Terminals advertise truecolor
/// through COLORTERM while TERM stays `xterm-256color` (SSH passes TERM on, and 256-colour entries
/// are everywhere); ncurses sends direct colour only with a `*-direct` entry, so when truecolor is
/// wanted and the matching entry is installed (Debian's ncurses-term has xterm-direct,
/// tmux-direct, …), use it.
public enum DirectColorTerminal {
    /// The terminal type to start ncurses with.
    public static func terminalType(term: String?, colorTerm: String?, forced: ColorMode?,
                                    isInstalled: (String) -> Bool = entryExists) -> String? {
        guard let term, !term.hasSuffix("-direct") else { return term }
        let ct = (colorTerm ?? "").lowercased()
        let wantsTruecolor = forced == .truecolor || (forced == nil && (ct == "truecolor" || ct == "24bit"))
        guard wantsTruecolor else { return term }
        var base = term
        for suffix in ["-256color", "-88color", "-color"] where base.hasSuffix(suffix) {
            base.removeLast(suffix.count)
            break
        }
        let direct = base + "-direct"
        return isInstalled(direct) ? direct : term
    }

    /// True when a compiled terminfo entry called `name` is installed where ncurses looks.
    public static func entryExists(_ name: String) -> Bool {
        guard let first = name.first else { return false }
        let env = ProcessInfo.processInfo.environment
        var folders = [env["TERMINFO"], env["HOME"].map { $0 + "/.terminfo" }].compactMap { $0 }
        folders += (env["TERMINFO_DIRS"] ?? "").split(separator: ":").map(String.init)
        folders += ["/etc/terminfo", "/lib/terminfo", "/usr/share/terminfo", "/usr/lib/terminfo"]
        let hex = String(format: "%02x", first.asciiValue ?? 0)
        return folders.contains { folder in
            FileManager.default.fileExists(atPath: "\(folder)/\(first)/\(name)")
                || FileManager.default.fileExists(atPath: "\(folder)/\(hex)/\(name)")
        }
    }
}
