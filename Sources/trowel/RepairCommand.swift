import ArgumentParser
import Foundation
import TrowelEngine

struct RepairCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repair",
        abstract: "Rebuild a project's damaged project.sqlite from the scan, labels and models beside it.",
        discussion: """
            When project.sqlite is truncated or corrupt (a full disk, a crash of the machine, a bad \
            copy), the scan (volume.zarr), the labels (labels.zarr), the models (models/) and the \
            segmentations (segmentations/) are usually intact. repair moves the damaged database aside \
            as project.sqlite.damaged-TIME (it is never deleted), writes a fresh one — the project record \
            from volume.zarr, the classes, every model that loads, and any rows the damaged file still \
            yields — and says in one line each what could not be recovered (such as the stroke history). \
            A healthy project is left alone. Close every viewer of the project first.
            """
    )

    @Argument(help: "The project folder, e.g. scan.trowel.")
    var project: String

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func run() throws {
        try reportingErrors {
            let report = try ProjectRepair(url: URL(fileURLWithPath: project)).run()
            if json {
                print(try JSONOutput.text(report))
                return
            }
            guard report.repaired else {
                print("\(report.project): project.sqlite is healthy; nothing to repair")
                return
            }
            print("repaired \(report.project): project.sqlite was damaged (\(report.damage ?? "unknown"))")
            if let aside = report.movedAside { print("  kept the damaged database as \(aside)") }
            for line in report.recovered { print("  recovered: \(line)") }
            for line in report.lost { print("  not recovered: \(line)") }
        }
    }
}
