import ArgumentParser
import Foundation
import TrowelEngine
import TrowelVolume

struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Describe a project: shape, dtype, voxel size, values, pyramid, chunks, classes, size."
    )

    @Argument(help: "The project folder, e.g. scan.trowel.")
    var project: String

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func run() throws {
        try reportingErrors {
            let info = try ProjectSummary(project: try Project.open(at: URL(fileURLWithPath: project)))
            print(json ? try info.json() : info.text)
        }
    }
}
