import Foundation
import TrowelUI

/// Finds theme files and the config file: `Themes/` of the installation (searched upward from the
/// executable, so `swift run` and a copied build folder both work), `~/.config/trowel/themes/`, and
/// `~/.config/trowel/config.toml` (XDG_CONFIG_HOME respected).
enum UserFiles {
    static var configFolder: URL {
        if let xdg = ProcessInfo.processInfo.environment["XDG_CONFIG_HOME"], !xdg.isEmpty {
            return URL(fileURLWithPath: xdg).appendingPathComponent("trowel")
        }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".config/trowel")
    }

    static var dataFolder: URL {
        if let xdg = ProcessInfo.processInfo.environment["XDG_DATA_HOME"], !xdg.isEmpty {
            return URL(fileURLWithPath: xdg).appendingPathComponent("trowel")
        }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".local/share/trowel")
    }

    /// The first folder named `name` found walking up from the executable's folder.
    static func installed(_ name: String) -> URL? {
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 {
            let candidate = folder.appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        return nil
    }

    /// Every theme found, built-in dark first; unreadable theme files are reported in `problems`.
    static func themes(problems: inout [String]) -> [Theme] {
        var themes = [Theme.dark]
        for folder in [installed("Themes"), configFolder.appendingPathComponent("themes")].compactMap({ $0 }) {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            for file in files.sorted() where file.hasSuffix(".toml") {
                let url = folder.appendingPathComponent(file)
                do {
                    let theme = try Theme(toml: String(contentsOf: url, encoding: .utf8), fallbackName: String(file.dropLast(5)))
                    themes.removeAll { $0.name == theme.name }
                    themes.append(theme)
                } catch {
                    problems.append("\(url.path): \(error)")
                }
            }
        }
        return themes
    }

    /// The user's config, or defaults when there is none.
    static func config() throws -> Config {
        let url = configFolder.appendingPathComponent("config.toml")
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return Config() }
        do {
            return try Config(toml: text)
        } catch {
            throw ConfigFileError(path: url.path, problem: "\(error)")
        }
    }
}

struct ConfigFileError: Error, CustomStringConvertible {
    var path: String
    var problem: String
    var description: String { "\(path): \(problem)" }
}
