import Foundation
import Testing
import TrowelEngine
import TrowelVolume

/// The real binary in a real terminal (tmux): keys and mouse paint, undo works, labels land on
/// disk, and the terminal comes back in a sane state however the program ends.
@Suite(.serialized) struct ViewerTests {
    /// A project converted from the bundled sample, and the tmux pane command that opens it.
    func prepare(_ scratch: Scratch) throws -> URL {
        let project = scratch("fossil.trowel")
        let sample = TrowelBinary.repository.appendingPathComponent("SampleData/fossil/scan.zarr").path
        let r = try TrowelBinary.run(["convert", sample, "-o", project.path])
        #expect(r.status == 0, "\(r.stderr)")
        return project
    }

    /// Runs trowel in tmux; when it ends, its exit status and `stty -a` go to files in `scratch`.
    func launch(_ tmux: Tmux, _ project: URL, _ scratch: Scratch, extra: String = "") throws {
        let command = "TERM=xterm-256color XDG_CONFIG_HOME=\(scratch.url.path) \(TrowelBinary.url.path) \(project.path) \(extra); "
            + "echo $? > \(scratch("status").path); stty -a > \(scratch("stty").path); sleep 60"
        try tmux.start(command)
        try tmux.wait(for: "? help")
    }

    func labels(_ project: URL) throws -> Block<UInt8> {
        let array = try ZarrArray.open(at: project.appendingPathComponent("labels.zarr"))
        return try array.read(array.shape.box, as: UInt8.self)
    }

    /// The voxels a keyboard stroke paints: discs of `radius` around (z, row, column) cursor positions.
    func disc(at centres: [(Int, Int, Int)], radius: Int, shape: Shape) -> Set<Index3> {
        var out = Set<Index3>()
        for (z, r, c) in centres {
            let dab = PaintDab(axis: .z, slice: z, row: r, column: c, radius: radius, value: 2)
            for (dr, dc) in dab.offsets { out.insert(dab.voxel(dr: dr, dc: dc)) }
        }
        return out.filter { shape.box.contains($0) }
    }

    func expectRestored(_ scratch: Scratch) throws {
        let stty = try String(contentsOf: scratch("stty"), encoding: .utf8)
        #expect(stty.contains(" icanon") && stty.contains(" echo") && !stty.contains("-icanon") && !stty.contains("-echo "),
                "terminal left in raw mode: \(stty)")
    }

    @Test func keysPaintUndoAndPaintAgainThenQuit() throws {
        let scratch = try Scratch()
        let tmux = Tmux()
        defer {
            tmux.kill()
            scratch.remove()
        }
        let project = try prepare(scratch)
        try launch(tmux, project, scratch)
        #expect(try tmux.screen().contains("XY slice z 80 of 160"))
        // Stroke 1: bone, pen down at the centre, three steps right, pen up. Then undo it.
        try tmux.keys("Space", "l", "l", "l", "Space")
        try tmux.wait(for: "undo u")
        try tmux.keys("u")
        try tmux.wait(for: "undo –")
        // Stroke 2: matrix, two rows down, pen down, two steps right, pen up; then quit. (Undo does
        // not move the cursor: stroke 2 starts where stroke 1 ended, at x 83.)
        try tmux.keys("2", "j", "j", "Space", "l", "l", "Space")
        try tmux.wait(for: "undo u")
        try tmux.keys("q")
        try tmux.wait(forFile: scratch("status"))
        #expect(try String(contentsOf: scratch("status"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) == "0")
        try expectRestored(scratch)
        let block = try labels(project)
        var painted = Set<Index3>()
        for z in 0..<block.shape.z {
            for y in 0..<block.shape.y {
                for x in 0..<block.shape.x where block[z, y, x] != 0 {
                    #expect(block[z, y, x] == 2)
                    painted.insert(Index3(z: z, y: y, x: x))
                }
            }
        }
        #expect(painted == disc(at: [(80, 82, 83), (80, 82, 84), (80, 82, 85)], radius: 2, shape: block.shape))
    }

    @Test func mouseDragPaintsAndRightDragErases() throws {
        let scratch = try Scratch()
        let tmux = Tmux()
        defer {
            tmux.kill()
            scratch.remove()
        }
        let project = try prepare(scratch)
        try launch(tmux, project, scratch)
        // Left press, drag along the row, release (SGR reports, 1-based cells).
        try tmux.literal("\u{1B}[<0;30;10M\u{1B}[<32;34;10M\u{1B}[<32;38;10M\u{1B}[<0;38;10m")
        try tmux.wait(for: "undo u")
        #expect(try tmux.screen().contains("▶1 ██ bone"))
        // Wait for the count of bone voxels in the side panel, then erase part of the streak.
        try tmux.keys("Escape")
        let painted = try labels(project).elements.filter { $0 == 1 }.count
        #expect(painted > 20, "a drag across 8 cells paints a streak")
        try tmux.literal("\u{1B}[<2;30;10M\u{1B}[<34;32;10M\u{1B}[<2;32;10m")
        try tmux.keys("q")
        try tmux.wait(forFile: scratch("status"))
        let block = try labels(project)
        let left = block.elements.filter { $0 == 1 }.count
        #expect(left > 0 && left < painted, "right-drag erased part of the streak (\(painted) → \(left))")
        #expect(block.elements.filter { $0 > 1 }.isEmpty)
    }

    @Test(arguments: ["TERM", "HUP"])
    func signalsRestoreTheTerminalAndKeepLabels(signal: String) throws {
        let scratch = try Scratch()
        let tmux = Tmux()
        defer {
            tmux.kill()
            scratch.remove()
        }
        let project = try prepare(scratch)
        try launch(tmux, project, scratch)
        try tmux.keys("Space", "l", "l")
        try tmux.wait(for: "undo u")
        let pid = try tmux.run(["display-message", "-p", "-t", "t", "#{pane_pid}"]).trimmingCharacters(in: .whitespacesAndNewlines)
        // The pane runs sh, which runs trowel: signal the child.
        let (killed, _) = try Spawn.run(["pkill", "-\(signal)", "-P", pid, "-x", "trowel"])
        #expect(killed == 0, "no trowel process under the pane")
        try tmux.wait(forFile: scratch("status"))
        let status = try String(contentsOf: scratch("status"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(status == (signal == "TERM" ? "143" : "129"))
        try expectRestored(scratch)
        #expect(try labels(project).elements.filter { $0 == 1 }.count > 20, "strokes painted before the signal are on disk")
    }

    @Test func twoViewersPaintTogetherAndSeeWhoPaintedWhat() throws {
        let scratch = try Scratch()
        let first = Tmux(), second = Tmux()
        defer {
            first.kill()
            second.kill()
            scratch.remove()
        }
        let project = try prepare(scratch)
        try first.start("TERM=xterm-256color USER=alice XDG_CONFIG_HOME=\(scratch.url.path) \(TrowelBinary.url.path) \(project.path); sleep 60")
        try first.wait(for: "? help")
        try second.start("TERM=xterm-256color USER=bob XDG_CONFIG_HOME=\(scratch.url.path) \(TrowelBinary.url.path) \(project.path); sleep 60")
        try second.wait(for: "? help")
        #expect(!(try second.screen()).contains("read-only"))
        // Alice paints at the centre, where bob's cursor is too: within a poll bob sees whose it is.
        // (Her session tries to train on bone alone and says it needs two classes.)
        try first.keys("Space", "l", "l", "Space")
        try first.wait(for: "label at least two classes")
        try second.wait(for: "painted by alice")
        try second.wait(for: "annotators")
        // Bob paints matrix beside it; alice's panel counts both of them. With both classes painted,
        // bob's session trains on the union, and the model appears in alice's session too.
        try second.keys("2", "j", "j", "j", "j", "j", "Space", "l", "Space")
        try first.wait(for: "bob")
        let trained = Date().addingTimeInterval(60)
        var models: [ModelRecord] = []
        while models.isEmpty && Date() < trained {
            usleep(200_000)
            models = (try? ModelLibrary(project: try Project.open(at: project)).records()) ?? []
        }
        let model = try #require(models.first, "bob's session trained a model")
        try first.keys("m")
        try first.wait(for: model.id)
        try first.keys("Escape", "q")
        try second.keys("q")
        let painted = try labels(project).elements
        #expect(painted.contains(1) && painted.contains(2), "both sessions' strokes are on disk")
    }

    @Test func noTerminalGivesAClearError() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let project = try prepare(scratch)
        let r = try TrowelBinary.run([project.path])
        #expect(r.status == 1)
        #expect(r.stderr.contains("needs a terminal"), "\(r.stderr)")
    }
}

/// Issue 5 in the real terminal: paint both classes on three slices, the model trains in the
/// background, and the overlay, probability bars and cross-validated F1 appear.
@Suite(.serialized) struct LiveLearningTests {
    @Test func paintingOnThreeSlicesTrainsAModelWithHeldOutScores() throws {
        let scratch = try Scratch()
        let tmux = Tmux()
        defer {
            tmux.kill()
            scratch.remove()
        }
        let project = try ViewerTests().prepare(scratch)
        try ViewerTests().launch(tmux, project, scratch)
        try tmux.wait(for: "none yet: paint both classes")
        // On each of three slices: bone at the centre (the sample's central bone), matrix far to the left.
        for slice in ["", "{{{", "}}}}}}"] {
            if !slice.isEmpty { try tmux.literal(slice) }
            try tmux.keys("1", "Space", "l", "l", "Space")
            try tmux.literal(String(repeating: "h", count: 40))
            try tmux.keys("2", "Space", "j", "j", "Space")
            try tmux.literal(String(repeating: "l", count: 38))
        }
        try tmux.wait(for: "F1 bone ", seconds: 180)
        try tmux.wait(for: "OOB error", seconds: 60)
        // Held-out scores are numbers (not "–") once three slices are labelled.
        let deadline = Date().addingTimeInterval(180)
        var screen = try tmux.screen()
        while !(screen.range(of: #"F1 bone\s+\d\.\d\d"#, options: .regularExpression) != nil) && Date() < deadline {
            usleep(300_000)
            screen = try tmux.screen()
        }
        #expect(screen.range(of: #"F1 bone\s+\d\.\d\d"#, options: .regularExpression) != nil, "\(screen)")
        #expect(screen.range(of: #"F1 matrix\s+\d\.\d\d"#, options: .regularExpression) != nil, "\(screen)")
        // Probability bars for the voxel under the cursor.
        #expect(screen.range(of: #"bone\s+[█▏▎▍▌▋▊▉ ]+ \d\.\d\d"#, options: .regularExpression) != nil, "\(screen)")
        try tmux.keys("q")
        let models = try FileManager.default.contentsOfDirectory(atPath: project.appendingPathComponent("models").path)
        #expect(models.contains { $0.hasSuffix(".forest") } && models.contains { $0.hasSuffix(".json") })
    }
}
