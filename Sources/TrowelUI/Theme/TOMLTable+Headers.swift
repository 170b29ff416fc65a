extension TOMLTable {
    /// Throws for a `[table]` header whose name does not start with a bare-key character or a
    /// quote (`[*i]`), naming the line. toml++ (under TOMLKit) assumes it does: with its asserts on
    /// the parser aborts the process, without them the assumption is undefined behaviour (found by
    /// Fuzz/fuzz-toml in a mutated theme file). Lines inside multi-line strings are not headers.
    static func checkTableHeaders(_ text: String) throws(TOMLError) {
        var inMultiLine: String?
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var rest = Substring(line)
            // toml++ skips a UTF-8 byte order mark before the first line (found by the fuzzer: BOM + "[$[").
            if index == 0, rest.first == "\u{FEFF}" { rest = rest.dropFirst() }
            if let open = inMultiLine {
                guard let close = rest.range(of: open) else { continue }
                rest = rest[close.upperBound...]
                inMultiLine = nil
            }
            let trimmed = rest.drop { $0 == " " || $0 == "\t" }
            if trimmed.first == "[" {
                var name = trimmed.dropFirst()
                if name.first == "[" { name = name.dropFirst() }
                name = name.drop { $0 == " " || $0 == "\t" }
                guard let c = name.first else {
                    // `[` alone on its line (found by the fuzzer next): toml++ asserts on that too.
                    throw TOMLError(line: index + 1, problem: "a table header needs a name and a closing ']'")
                }
                if c != "]", !isBareKeyCharacter(c), c != "\"", c != "'" {
                    throw TOMLError(line: index + 1, problem: "a table name must start with a letter, digit, '_', '-' or a quote, not '\(c)'")
                }
            }
            // A comment line opens no string (found by the fuzzer: a comment holding three quotes hid
            // a bad header below it).
            if trimmed.first == "#" { continue }
            // A multi-line string opened and not closed on this line continues on the next ones.
            for delimiter in ["\"\"\"", "'''"] where rest.components(separatedBy: delimiter).count % 2 == 0 {
                inMultiLine = delimiter
            }
        }
    }

    private static func isBareKeyCharacter(_ c: Character) -> Bool {
        c.isASCII && (c.isLetter || c.isNumber || c == "_" || c == "-")
    }
}
