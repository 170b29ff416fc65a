import ArgumentParser
import Foundation
import TrowelEngine
import TrowelTerminal
import TrowelUI
import TrowelVolume

/// `trowel [PROJECT]`: the full-screen viewer and annotator.
struct OpenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "open",
        abstract: "Look at a project's scan and paint labels on it (the default command).",
        discussion: """
            With no project, opens the bundled fossil sample (converted once into \
            ~/.local/share/trowel/fossil.trowel). Press ? inside for the keys.
            """
    )

    @Argument(help: "The project folder (default: the bundled sample).")
    var project: String?

    @Option(help: "Colours: truecolor, 256, 16 or mono (default: what the terminal says).")
    var color: String?

    @Option(help: "Slice pixels: auto, kitty, sixel, iterm or cells (half-blocks); default: what the terminal answers.")
    var graphics: String?

    @Option(help: "Theme: dark, light, colorblind, or one in ~/.config/trowel/themes.")
    var theme: String?

    func run() throws {
        try reportingErrors {
            var config = try UserFiles.config()
            var problems = config.warnings
            let themes = UserFiles.themes(problems: &problems)
            let themeName = theme ?? config.theme ?? "dark"
            guard let chosenTheme = themes.first(where: { $0.name == themeName }) else {
                throw ThemeError.notFound(themeName, themes.map(\.name))
            }
            var mode: ColorMode? = config.colorMode
            if let color {
                guard let m = ColorMode(rawValue: color) else { throw OpenError.color(color) }
                mode = m
            }
            config.colorMode = mode
            if let graphics {
                guard let request = GraphicsRequest(graphics) else { throw OpenError.graphics(graphics) }
                config.graphics = request
            }
            let url = try project.map { URL(fileURLWithPath: $0) } ?? Self.sampleProject()
            let session = try AnnotationSession(project: try Project.open(at: url))
            try Self.runInteractive(session: session, config: config, theme: chosenTheme, themes: themes, problems: problems)
        }
    }

    /// The bundled sample as a project, converted on first use.
    static func sampleProject() throws -> URL {
        let target = UserFiles.dataFolder.appendingPathComponent("fossil.trowel")
        if FileManager.default.fileExists(atPath: target.appendingPathComponent(Project.databaseName).path) { return target }
        guard let sample = UserFiles.installed("SampleData")?.appendingPathComponent("fossil/scan.zarr") else {
            throw OpenError.noSample
        }
        try FileManager.default.createDirectory(at: UserFiles.dataFolder, withIntermediateDirectories: true)
        let source = try ZarrSource(url: sample)
        FileHandle.standardError.write(Data("preparing the sample project \(target.path)…\n".utf8))
        _ = try ProjectBuilder().build(from: source, at: target)
        return target
    }

    static func runInteractive(session: AnnotationSession, config: Config, theme: Theme, themes: [Theme], problems: [String]) throws {
        let graphics = Self.detectGraphics(config.graphics)
        let backend = try CursesBackend(colorMode: config.colorMode)
        defer { backend.restore() }
        backend.useGraphics(graphics)
        let loop = try RunLoop(backend: backend)
        let record = session.record
        let scan = ScanInfo(name: session.project.name, shape: session.volume.shape, dtype: session.volume.dtype,
                            voxelSize: record.voxelSize, levelCount: session.volume.levels.count, values: record.values)
        let waker = loop.waker
        let runner = EffectRunner(session: session, taskSize: config.taskSize, palette: theme.classPalette.map(\.hex),
                                  uncertainTasks: config.uncertainTasks, wake: { waker.wake() })
        let server = ViewerServer(project: session.project)
        runner.serving = server
        defer { server.stop() }
        var state = AppState(scan: scan, classes: try runner.classStyles(), screen: backend.size, colorMode: backend.colorMode,
                             theme: theme, themes: themes, keymap: config.keymap)
        state.useGraphics(graphics.graphics, cellPixels: graphics.cellSize)
        state.readOnly = session.isReadOnly
        state.collab.me = session.author
        if let reason = session.readOnlyReason { state.readOnlyReason = reason }
        state.tasks = (try? session.tasks.all()) ?? []
        if let first = session.labels.damage.first {
            let more = session.labels.damage.count - 1
            state.message = "labels: \(first.summary)" + (more > 0 ? " (and \(more) more chunks)" : "")
                + "; run 'trowel labels check \(session.project.url.path) --rebuild' to rebuild from the stroke log"
            state.messageIsError = true
        } else if session.isReadOnly {
            state.message = "read-only: \(state.readOnlyReason)"
            state.messageIsError = true
        } else if let first = problems.first {
            state.message = first + (problems.count > 1 ? " (and \(problems.count - 1) more)" : "")
            state.messageIsError = true
        } else if let note = graphics.note {
            state.message = note
        }
        var quit = false
        // Panes whose inputs did not change are not composed again.
        let paneCache = PaneImageCache()
        func dispatch(_ message: Message) {
            for effect in runner.dispatch(message, to: &state) {
                if effect == .quit { quit = true } else if effect == .redraw { backend.redrawAll() }
            }
        }
        dispatch(.tick)
        if let models = runner.restoreModels() { dispatch(models) }
        if let taxa = runner.restoreTaxonModel() { dispatch(taxa) }
        runner.perform(.listSegmentations, state: state).forEach(dispatch)
        try loop.run(handle: { event in
            switch event {
            case .input(let input): dispatch(.input(input))
            case .tick:
                runner.drainBackground().forEach(dispatch)
                dispatch(.tick)
            case .wake:
                runner.drainBackground().forEach(dispatch)
            case .signal:
                // Labels are written through as they are painted; close the stroke so it is logged.
                try? session.labels.endStroke()
                return .quit
            }
            return quit ? .quit : .continue
        }, render: { size in
            if size.width != state.screen.width || size.height != state.screen.height {
                dispatch(.input(.resize(width: size.width, height: size.height)))
                // A font change in the terminal resizes the cells too: follow the kernel's pixel size.
                if graphics.graphics.drawsPixels,
                   let cell = GraphicsDetection.cellSize(replies: TerminalReplies(), cells: (size.width, size.height),
                                                         windowPixels: GraphicsProbe.windowPixels()),
                   cell != state.cellPixels {
                    state.useGraphics(graphics.graphics, cellPixels: cell)
                    backend.useGraphics(GraphicsSetup(graphics: graphics.graphics, cellSize: cell, sixelRegisters: graphics.sixelRegisters,
                                                      tmuxPassthrough: graphics.tmuxPassthrough))
                    backend.redrawAll()
                }
            }
            return App.view(state)
        }, images: { App.paneImages(state, cache: paneCache) })
        try session.labels.endStroke()
    }
}

extension OpenCommand {
    /// Asks the terminal what it draws (unless half-blocks were asked for) and decides, before
    /// curses takes the terminal.
    static func detectGraphics(_ request: GraphicsRequest) -> GraphicsSetup {
        if request == .forced(.cells) { return .cells }
        let environment = ProcessInfo.processInfo.environment
        let tmux = GraphicsProbe.tmux(environment: environment)
        let replies = GraphicsProbe.query(insideTmux: tmux != nil)
        return GraphicsDetection.decide(request: request, replies: replies, environment: environment,
                                        cells: GraphicsProbe.windowCells(), windowPixels: GraphicsProbe.windowPixels(), tmux: tmux)
    }
}

enum OpenError: Error, CustomStringConvertible {
    case graphics(String)
    case color(String)
    case noSample

    var description: String {
        switch self {
        case .graphics(let g): return "--graphics \(g): use \(GraphicsRequest.choices)"
        case .color(let c): return "--color \(c): use truecolor, 256, 16 or mono"
        case .noSample: return "the bundled sample (SampleData/fossil) was not found beside this trowel; give a project folder"
        }
    }
}
