import Foundation

/// A catalogue of specimens: a CSV file with a header and rows `project,taxon` (a project folder
/// is one specimen; paths relative to the file).
public struct TaxonCatalogue: Sendable {
    public struct Entry: Sendable, Equatable {
        public var project: URL
        public var taxon: String
        /// The path as written in the file.
        public var name: String
    }

    public let file: URL
    public let entries: [Entry]

    public var taxa: [String] { Array(Set(entries.map(\.taxon))).sorted() }

    /// Reads and checks the file: header, two columns, existing projects, no duplicates.
    public init(contentsOf url: URL) throws {
        file = url
        let name = url.lastPathComponent
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { throw IdentifyError.catalogue(name, "cannot be read") }
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard let header = lines.first, header.lowercased().replacingOccurrences(of: " ", with: "") == "project,taxon" else {
            throw IdentifyError.catalogue(name, "the first line must be the header 'project,taxon'")
        }
        let base = url.deletingLastPathComponent()
        var seen = Set<String>(), out: [Entry] = []
        for (i, line) in lines.dropFirst().enumerated() {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count == 2, !cells[0].isEmpty, !cells[1].isEmpty else {
                throw IdentifyError.catalogue(name, "line \(i + 2) is not 'project,taxon'")
            }
            let project = cells[0].hasPrefix("/") ? URL(fileURLWithPath: cells[0]) : base.appendingPathComponent(cells[0])
            let key = project.standardizedFileURL.path
            guard FileManager.default.fileExists(atPath: project.appendingPathComponent(Project.databaseName).path) else {
                throw IdentifyError.catalogue(name, "line \(i + 2): \(cells[0]) is not a Trowel project")
            }
            guard seen.insert(key).inserted else { throw IdentifyError.catalogue(name, "line \(i + 2): \(cells[0]) is listed twice") }
            out.append(Entry(project: project, taxon: cells[1], name: cells[0]))
        }
        guard !out.isEmpty else { throw IdentifyError.catalogue(name, "no specimens") }
        entries = out
    }
}
