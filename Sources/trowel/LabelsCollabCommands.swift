import ArgumentParser
import Foundation
import TrowelEngine
import TrowelVolume

/// `trowel labels paint`: paints a scripted list of strokes headless, as one more session beside
/// any viewers (for scripts, tests and `trowel-bench collab`).
struct LabelsPaintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "paint",
        abstract: "Paint a scripted list of strokes into a project's labels.",
        discussion: """
            FILE is a JSON array of steps: a stroke {"axis": "z", "slice": 5, "value": 1, "radius": 2, \
            "points": [[row, column], ...]} (value is the class id, 0 erases; each point is one write, \
            joined to the one before by a line of dabs), or {"undo": true} / {"redo": true}, which undo or \
            redo this run's last stroke only. Runs as one more session: viewers and other 'labels paint' \
            runs may paint the same project at the same time; nobody's voxels are lost.
            """
    )

    @Argument(help: "The project folder.")
    var project: String

    @Option(help: "Who paints (the log's author; default: your login name).")
    var author: String?

    @Option(help: "The JSON file of strokes.")
    var strokes: String

    @Option(help: "Seconds to wait after each point (a hand's pace).")
    var pause: Double = 0

    @Flag(help: "Print the result as JSON.")
    var json = false

    func run() throws {
        try reportingErrors {
            let project = try Project.open(at: URL(fileURLWithPath: self.project))
            try project.requireWritable(for: "painting")
            let shape = try project.record().shape
            let script = try StrokeScript(contentsOf: URL(fileURLWithPath: strokes), shape: shape)
            let store = try LabelStore(project: project, shape: shape, author: author ?? AnnotationSession.currentUser, writable: true)
            let outcome = try script.run(on: store, pause: max(0, pause))
            if json {
                print(try JSONOutput.text(outcome))
            } else {
                print("\(outcome.author) painted \(outcome.strokes.count) strokes (\(outcome.batches) writes" +
                      (outcome.undos > 0 ? ", \(outcome.undos) undone" : "") + ") in \(String(format: "%.2f", outcome.seconds)) s")
            }
        }
    }
}

/// `trowel labels log`: the stroke log, who painted what and when.
struct LabelsLogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "List the strokes painted in a project.",
        discussion: """
            One line per stroke, oldest first: id, time (UTC), author, class, where, voxels changed, and \
            whether it is undone. --since takes a time (2026-12-02T14:00:00Z), a date (2026-12-02) or an \
            age (30m, 2h, 7d).
            """
    )

    @Argument(help: "The project folder.")
    var project: String

    @Option(help: "Only this author's strokes.")
    var author: String?

    @Option(help: "Only strokes made at or after this time.")
    var since: String?

    @Flag(help: "Print the strokes as JSON.")
    var json = false

    func run() throws {
        try reportingErrors {
            let project = try Project.open(at: URL(fileURLWithPath: self.project))
            let since = try self.since.map { try StrokeLog.parseSince($0) }
            let entries = try StrokeLog(project: project).entries(author: author, since: since)
            if json {
                print(try JSONOutput.text(entries))
                return
            }
            let time = ISO8601DateFormatter()
            for e in entries {
                print("#\(e.id)  \(time.string(from: e.createdAt))  \(e.author)  \(e.what)  \(e.place)  " +
                      "\(e.voxels) voxels\(e.undone ? "  (undone)" : "")")
            }
            if entries.isEmpty { print("no strokes" + (author.map { " by \($0)" } ?? "") + (since == nil ? "" : " since \(self.since!)")) }
        }
    }
}

/// `trowel labels export --author`: one annotator's labels as a Zarr array.
struct LabelsExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write one annotator's labels as a Zarr array.",
        discussion: """
            Replays AUTHOR's strokes that are not undone from the stroke log: what they labelled, even \
            where someone painted over it since (imports are not in it). Writes a uint8 Zarr array of the \
            scan's shape (0 = unlabelled, else the class id), which zarr-python and 'trowel labels import' read.
            """
    )

    @Argument(help: "The project folder.")
    var project: String

    @Option(help: "Whose labels.")
    var author: String

    @Option(name: .shortAndLong, help: "The Zarr folder to write (must not exist).")
    var output: String

    @Flag(help: "Print the result as JSON.")
    var json = false

    struct Report: Encodable {
        var author: String
        var output: String
        var voxels: Int
        var classes: [String: Int]
    }

    func run() throws {
        try reportingErrors {
            let project = try Project.open(at: URL(fileURLWithPath: self.project))
            let labels = try AuthorLabels(project: project, author: author)
            let chunks = try ZarrArray.open(at: project.url.appendingPathComponent(LabelStore.folderName)).chunks
            try labels.write(to: URL(fileURLWithPath: output), chunks: chunks)
            let names = Dictionary(uniqueKeysWithValues: try project.classes().map { ($0.id, $0.name) })
            let counts = labels.counts
            let report = Report(author: author, output: output, voxels: counts.values.reduce(0, +),
                                classes: Dictionary(uniqueKeysWithValues: counts.map { (names[$0.key] ?? "class \($0.key)", $0.value) }))
            if json {
                print(try JSONOutput.text(report))
            } else {
                print("wrote \(report.voxels) voxels labelled by \(author) to \(output)" +
                      (report.classes.isEmpty ? "" : " (" + report.classes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + ")"))
            }
        }
    }
}

/// `trowel labels agreement`: Dice between two annotators where both labelled.
struct LabelsAgreementCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agreement",
        abstract: "Compare two annotators' labels where both labelled (Dice per class).",
        discussion: """
            Replays both authors' strokes (as 'labels export --author' does) and, over the voxels both \
            gave a class, reports per class Dice = 2|A∩B| / (|A| + |B|) and the share of those voxels \
            with the same class.
            """
    )

    @Argument(help: "The project folder.")
    var project: String

    @Argument(help: "The first author.")
    var first: String

    @Argument(help: "The second author.")
    var second: String

    @Flag(help: "Print the result as JSON.")
    var json = false

    func run() throws {
        try reportingErrors {
            let project = try Project.open(at: URL(fileURLWithPath: self.project))
            let names = Dictionary(uniqueKeysWithValues: try project.classes().map { ($0.id, $0.name) })
            let result = AuthorAgreement(try AuthorLabels(project: project, author: first),
                                         try AuthorLabels(project: project, author: second), names: names)
            if json {
                print(try JSONOutput.text(result))
                return
            }
            print("\(first) labelled \(result.firstVoxels) voxels, \(second) \(result.secondVoxels), both \(result.bothVoxels)")
            guard let agreement = result.agreement else {
                print("they labelled no voxel in common: nothing to compare")
                return
            }
            print(String(format: "same class on %.1f%% of the voxels both labelled", agreement * 100))
            for c in result.classes {
                print("  \(c.name ?? "class \(c.id)"): Dice " + (c.dice.map { String(format: "%.3f", $0) } ?? "–") +
                      " (\(first) \(c.first), \(second) \(c.second), both \(c.both))")
            }
        }
    }
}
