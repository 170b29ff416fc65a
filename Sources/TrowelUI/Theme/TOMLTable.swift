import Foundation
import TOMLKit

/// The part of TOML that Trowel's theme and config files use: `[section]` headers, `key = value`
/// with strings, numbers, booleans and arrays of strings. TOMLKit parses the whole TOML grammar;
/// anything outside that part is an error naming the line, so a typo in a config file is reported
/// instead of silently ignored.
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

    /// Parses `text` with TOMLKit (toml++), then keeps only what Trowel's files may hold: top-level
    /// keys and one level of `[section]`, with strings, numbers, booleans or arrays of strings.
    public init(parsing text: String) throws(TOMLError) {
        try Self.checkTableHeaders(text)
        let document: TOMLKit.TOMLTable
        do {
            document = try TOMLKit.TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw TOMLError(line: error.source.begin.line, problem: error.description)
        } catch {
            throw TOMLError(line: 1, problem: "\(error)")
        }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for (key, node) in document {
            if let table = node.table {
                for (inner, value) in table {
                    sections[key, default: [:]][inner] = try Self.value(value, key: inner, section: key, lines: lines)
                }
                if table.isEmpty { sections[key] = sections[key] ?? [:] }
            } else {
                sections["", default: [:]][key] = try Self.value(node, key: key, section: "", lines: lines)
            }
        }
    }

    /// A value Trowel can use, or an error naming the line where `key` is set.
    private static func value(_ node: TOMLValueConvertible, key: String, section: String, lines: [String]) throws(TOMLError) -> Value {
        if let b = node.bool { return .bool(b) }
        if let i = node.int { return .number(Double(i)) }
        if let d = node.double { return .number(d) }
        if let s = node.string { return .string(s) }
        if let a = node.array {
            var items: [String] = []
            for element in a {
                guard let s = element.string else {
                    throw TOMLError(line: line(of: key, in: section, lines: lines), problem: "'\(key)': only arrays of strings are used here")
                }
                items.append(s)
            }
            return .strings(items)
        }
        let what = node.table != nil ? "a nested table" : "a \(node.type)"
        throw TOMLError(line: line(of: key, in: section, lines: lines), problem: "'\(key)' is \(what); use a string, number, true/false or a list of strings")
    }

    /// The line (1-based) that sets `key` within `section` ("" for the top), or 1 if not found.
    private static func line(of key: String, in section: String, lines: [String]) -> Int {
        var current = ""
        for (i, raw) in lines.enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("[") {
                current = line.trimmingCharacters(in: CharacterSet(charactersIn: "[] ")).replacingOccurrences(of: "\"", with: "")
                continue
            }
            let name = line.split(separator: "=", maxSplits: 1).first.map {
                $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
            }
            if current == section, name == key { return i + 1 }
        }
        return 1
    }
}

/// A line of a TOML file Trowel could not read.
public struct TOMLError: Error, CustomStringConvertible, Equatable {
    public var line: Int
    public var problem: String
    public var description: String { "line \(line): \(problem)" }
}
