import ArgumentParser
import TrowelEngine

@main
struct TrowelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trowel",
        abstract: "Segment fossils out of CT scans, in the terminal.",
        discussion: """
            'trowel' alone opens the bundled fossil sample; 'trowel scan.trowel' opens a project made \
            with 'trowel convert'. Press ? in the viewer for the keys.
            """,
        version: Trowel.version,
        subcommands: [OpenCommand.self, ConvertCommand.self, InfoCommand.self, SampleCommand.self, LabelsCommand.self, TrainCommand.self,
                      EvalCommand.self, SegmentCommand.self, JobsCommand.self, ExportCommand.self, MeshCommand.self, PostprocessCommand.self, SlurmCommand.self, InterpolateCommand.self, ThresholdCommand.self, IdentifyCommand.self, ServeCommand.self, MatchCommand.self, RepairCommand.self],
        defaultSubcommand: OpenCommand.self
    )
}
