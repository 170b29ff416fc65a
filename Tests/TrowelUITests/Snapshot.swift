import Foundation
import Testing
import TrowelUI

/// Compares `text` with the golden file `Snapshots/<name>.txt` beside this file. Set
/// TROWEL_RECORD_SNAPSHOTS=1 to (re-)record; a missing golden file is recorded and the test fails.
func expectSnapshot(_ text: String, named name: String, filePath: String = #filePath,
                    sourceLocation: SourceLocation = #_sourceLocation) {
    let url = URL(fileURLWithPath: filePath).deletingLastPathComponent()
        .appendingPathComponent("Snapshots").appendingPathComponent("\(name).txt")
    let recording = ProcessInfo.processInfo.environment["TROWEL_RECORD_SNAPSHOTS"] == "1"
    let golden = try? String(contentsOf: url, encoding: .utf8)
    if recording || golden == nil {
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? (text + "\n").write(to: url, atomically: true, encoding: .utf8)
        if golden == nil {
            Issue.record("recorded new snapshot \(name); run the tests again", sourceLocation: sourceLocation)
        }
        return
    }
    #expect(text + "\n" == golden!, "snapshot \(name) differs (TROWEL_RECORD_SNAPSHOTS=1 re-records)", sourceLocation: sourceLocation)
}

extension CellGrid {
    /// Glyphs plus each cell's colours: `fg/bg` as palette indices (`..` = default) or hex RGB.
    var colorDump: String {
        func code(_ c: TerminalColor) -> String {
            switch c {
            case .terminalDefault: return ".."
            case .indexed(let i): return String(format: "%03d", i)
            case .rgb(let rgb): return String(rgb.hex.dropFirst())
            }
        }
        return (0..<height).map { row in
            (0..<width).map { column in
                let cell = self[column, row]
                return "\(cell.glyph)\(code(cell.foreground))/\(code(cell.background))"
            }.joined(separator: " ")
        }.joined(separator: "\n")
    }
}
