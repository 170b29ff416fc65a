import ArgumentParser
import TrowelEngine

@main
struct TrowelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trowel",
        abstract: "Segment fossils out of CT scans, in the terminal.",
        discussion: """
            Convert a scan into a project folder, inspect it, and (soon) paint, train and segment.
            Run 'trowel sample -o DIR' to make the synthetic fossil used in the README.
            """,
        version: Trowel.version,
        subcommands: [ConvertCommand.self, InfoCommand.self, SampleCommand.self]
    )
}
