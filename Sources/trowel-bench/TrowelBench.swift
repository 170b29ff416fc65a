import ArgumentParser

/// Benchmarks that print JSON for ../shared/bench/compare and for tracking speed over time.
@main
struct TrowelBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trowel-bench",
        abstract: "Trowel benchmarks (JSON out).",
        subcommands: [PipelineBenchmark.self, Features3DBenchmark.self, ConvertBenchmark.self, UIBenchmark.self, LearnBenchmark.self,
                      MeshBenchmark.self, SegmentBenchmark.self, QualityBenchmark.self, ServeBenchmark.self, MatchBenchmark.self, IdentifyBenchmark.self,
                      CollabBenchmark.self]
    )
}
