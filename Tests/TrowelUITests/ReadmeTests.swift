import Foundation
import Testing
@testable import TrowelUI

/// README's key table is written from the Command table; this keeps the two from drifting apart.
@Suite struct ReadmeTests {
    @Test func readmeListsEveryCommandWithItsKeys() throws {
        let readme = try String(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("README.md"), encoding: .utf8)
        for command in Command.allCases {
            if let n = command.classNumber, n > 1 { continue }
            let line = readme.split(separator: "\n").first { $0.contains("| `\(command.rawValue)` |") || $0.contains("| `\(command.rawValue)` …") }
            #expect(line != nil, "README has no row for \(command.rawValue)")
            guard let line else { continue }
            for key in Keymap.standard.keys(for: command) where command.classNumber == nil {
                #expect(line.contains("`\(key)`"), "README row for \(command.rawValue) lacks key \(key)")
            }
        }
    }
}
