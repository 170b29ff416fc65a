import Foundation
import Testing
@testable import TrowelUI

/// Config and theme files are parsed by TOMLKit; what Trowel cannot use is an error naming the line.
@Suite struct TOMLTableTests {
    @Test func readsTheValuesTrowelUses() throws {
        let t = try TOMLTable(parsing: """
            # settings
            theme = "colorblind"
            task_size = 256
            ratio = 0.5
            [keys]
            undo = "z"   # comment
            redo = ["Ctrl-y", 'U']
            """)
        #expect(t[""]["theme"] == .string("colorblind"))
        #expect(t[""]["task_size"] == .number(256))
        #expect(t[""]["ratio"] == .number(0.5))
        #expect(t["keys"]["undo"] == .string("z"))
        #expect(t["keys"]["redo"] == .strings(["Ctrl-y", "U"]))
    }

    @Test func syntaxErrorsNameTheLine() {
        #expect(throws: TOMLError.self) { try TOMLTable(parsing: "a = 1\n[x]\nb = = 2\n") }
        do {
            _ = try TOMLTable(parsing: "a = 1\n[x]\nb = = 2\n")
        } catch {
            #expect(error.line == 3, "\(error)")
        }
        do {
            _ = try TOMLTable(parsing: "theme = \"a\"\ntheme = \"b\"\n")
            Issue.record("a key set twice was accepted")
        } catch {
            #expect(error.line == 2, "\(error)")
        }
    }

    @Test func valuesTrowelCannotUseNameTheirLine() {
        for (text, line) in [("a = 1\n[keys]\nwhen = 1979-05-27\n", 3), ("[ui]\nx = { y = 1 }\n", 2), ("[ui]\nlist = [1, 2]\n", 2),
                             ("[a.b]\nc = 1\n", 1)] {
            do {
                _ = try TOMLTable(parsing: text)
                Issue.record("accepted: \(text)")
            } catch {
                #expect(error.line == line, "\(text): \(error)")
            }
        }
    }
}

/// Inputs the libFuzzer harness Fuzz/fuzz-toml found crashing the TOML reader.
struct TOMLFuzzRegressionTests {
    /// A mutated theme file with the table header `[*i]`: toml++ assumes a header's name starts
    /// with a key character, and its assert aborted the process. Now it is an error naming the line.
    @Test func aTableNameStartingWithAStarIsAnErrorNotACrash() throws {
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/Fuzz")
        let url = fixtures.appendingPathComponent("theme-table-name-star.toml")
        let text = String(decoding: try Data(contentsOf: url), as: UTF8.self)  // as the harness (the file has invalid UTF-8)
        #expect(throws: TOMLError(line: 4, problem: "a table name must start with a letter, digit, '_', '-' or a quote, not '*'")) {
            try TOMLTable(parsing: text)
        }
        #expect(throws: ThemeError.self) { try Theme(toml: text, fallbackName: "fuzz") }
        // The next run's find: "[" alone on its line, where toml++ asserts as well.
        let bracket = fixtures.appendingPathComponent("theme-bracket-alone.toml")
        #expect(throws: TOMLError(line: 3, problem: "a table header needs a name and a closing ']'")) {
            try TOMLTable(parsing: String(decoding: try Data(contentsOf: bracket), as: UTF8.self))
        }
        // The third run's: a byte order mark, then "[$[" (toml++ skips the mark, then asserts).
        let bom = fixtures.appendingPathComponent("theme-bom-bad-header.toml")
        #expect(throws: TOMLError(line: 1, problem: "a table name must start with a letter, digit, '_', '-' or a quote, not '$'")) {
            try TOMLTable(parsing: String(decoding: try Data(contentsOf: bom), as: UTF8.self))
        }
        // The fourth run's: a comment holding three quotes (no string opens there), then a bad header.
        let comment = fixtures.appendingPathComponent("theme-comment-quotes.toml")
        #expect(throws: TOMLError.self) {
            try TOMLTable(parsing: String(decoding: try Data(contentsOf: comment), as: UTF8.self))
        }
        // Headers that are fine stay fine, and a "[" inside a multi-line string is no header.
        let good = try TOMLTable(parsing: "[keys]\nundo = \"z\"\n[ \"quoted name\" ]\nx = 1\n")
        #expect(good["keys"]["undo"] == .string("z"))
        _ = try TOMLTable(parsing: "a = \"\"\"\n[*not a header]\n\"\"\"\n")
    }
}
