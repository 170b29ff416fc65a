import Foundation

/// The part of TOML that Trowel's theme and config files use: `[section]` headers, `key = value`
/// with strings, numbers, booleans and arrays of strings, and `#` comments. Anything else is an
/// error naming the line, so a typo in a config file is reported instead of silently ignored.
public struct TOMLTable: Equatable, Sendable {
    public enum Value: Equatable, Sendable {
        case string(String)
        case number(Double)
        case bool(Bool)
        case strings([String])

        public var string: String? { if case .string(let s) = self { return s } else { return nil } }
        public var number: Double? { if case .number(let n) = self { return n } else { return nil } }
        public var bool: Bool? { if case .bool(let b) = self { return b } else { return nil } }
        /// A string array, or a single string as a one-element array.
        public var strings: [String]? {
            switch self {
            case .strings(let a): return a
            case .string(let s): return [s]
            default: return nil
            }
        }
    }

    /// Values by section ("" for keys before the first header), then by key.
    public private(set) var sections: [String: [String: Value]] = [:]

    public subscript(section: String) -> [String: Value] { sections[section] ?? [:] }

    public init(parsing text: String) throws(TOMLError) {
        var section = ""
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = Self.stripComment(String(rawLine)).trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]"), line.count > 2 else { throw TOMLError(line: number + 1, problem: "bad section header") }
                section = String(line.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces)
                continue
            }
            guard let eq = line.firstIndex(of: "=") else { throw TOMLError(line: number + 1, problem: "expected key = value") }
            var key = line[..<eq].trimmingCharacters(in: .whitespaces)
            if key.count >= 2, key.hasPrefix("\""), key.hasSuffix("\"") { key = String(key.dropFirst().dropLast()) }
            guard !key.isEmpty else { throw TOMLError(line: number + 1, problem: "missing key") }
            let valueText = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            guard let value = Self.value(valueText) else {
                throw TOMLError(line: number + 1, problem: "cannot read value '\(valueText)'")
            }
            sections[section, default: [:]][key] = value
        }
    }

    private static func stripComment(_ line: String) -> String {
        var inString = false
        for (i, ch) in line.enumerated() {
            if ch == "\"" { inString.toggle() }
            if ch == "#" && !inString { return String(line.prefix(i)) }
        }
        return line
    }

    private static func value(_ text: String) -> Value? {
        if text == "true" { return .bool(true) }
        if text == "false" { return .bool(false) }
        if let s = quoted(text) { return .string(s) }
        if let n = Double(text.replacingOccurrences(of: "_", with: "")) { return .number(n) }
        if text.hasPrefix("["), text.hasSuffix("]") {
            let inner = text.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
            if inner.isEmpty { return .strings([]) }
            var items: [String] = []
            for part in inner.split(separator: ",", omittingEmptySubsequences: true) {
                let p = part.trimmingCharacters(in: .whitespaces)
                if p.isEmpty { continue }
                guard let s = quoted(p) else { return nil }
                items.append(s)
            }
            return .strings(items)
        }
        return nil
    }

    private static func quoted(_ text: String) -> String? {
        guard text.count >= 2, (text.hasPrefix("\"") && text.hasSuffix("\"")) || (text.hasPrefix("'") && text.hasSuffix("'")) else {
            return nil
        }
        return String(text.dropFirst().dropLast())
    }
}

/// A line of a TOML file Trowel could not read.
public struct TOMLError: Error, CustomStringConvertible, Equatable {
    public var line: Int
    public var problem: String
    public var description: String { "line \(line): \(problem)" }
}
