import Foundation
import Testing

/// The taxon panel in a real terminal: `:identify FILE` in the viewer, the bars for the slice and
/// the specimen, `i` hiding them, and the project remembering the model for the next session.
@Suite(.serialized) struct IdentifyViewerTests {
    @Test func identifyShowsTaxonBarsAndTheProjectRemembersTheModel() throws {
        let scratch = try Scratch()
        let tmux = Tmux()
        defer {
            tmux.kill()
            scratch.remove()
        }
        let dir = scratch("specimens")
        let made = try TrowelBinary.run(["sample", "--specimens", dir.path, "--taxa", "2", "--per-taxon", "3", "--size", "24"])
        #expect(made.status == 0, "\(made.stderr)")
        let model = scratch("taxa.model")
        let train = try TrowelBinary.run(["identify", "train", dir.appendingPathComponent("catalogue.csv").path, "-o", model.path])
        #expect(train.status == 0, "\(train.stderr)")
        let viewer = ViewerTests()
        let project = dir.appendingPathComponent("globular-0.trowel")
        try viewer.launch(tmux, project, scratch)
        try tmux.literal(":identify \(model.path)")
        try tmux.keys("Enter")
        try tmux.wait(for: "specimen, ", seconds: 60)
        let screen = try tmux.screen()
        #expect(screen.contains("taxon (i)") && screen.contains("taxa.model") && screen.contains("slice z 12"), "\(screen)")
        #expect(screen.contains("globular ") && screen.contains("planispiral "), "\(screen)")
        // Stepping on updates the slice's bars.
        try tmux.keys("]")
        try tmux.wait(for: "slice z 13")
        try tmux.keys("i")
        try tmux.wait(for: "taxon panel hidden")
        #expect(!(try tmux.screen()).contains("taxon (i)"))
        try tmux.keys("q")
        try tmux.wait(forFile: scratch("status"))
        #expect(try String(contentsOf: project.appendingPathComponent("taxon-model"), encoding: .utf8) == model.standardizedFileURL.path + "\n")

        // The next session of this project shows the panel with that model at i, without being told.
        try FileManager.default.removeItem(at: scratch("status"))
        let again = Tmux()
        defer { again.kill() }
        try viewer.launch(again, project, scratch)
        try again.keys("i")
        try again.wait(for: "specimen, ", seconds: 60)
        #expect((try again.screen()).contains("taxa.model"))
    }
}
