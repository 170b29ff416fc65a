import ArgumentParser
import Foundation
import TrowelEngine
import TrowelTerminal
import TrowelUI
import TrowelVolume

/// `trowel-bench ui`: how fast the viewer draws and steps through slices, through the same
/// update → engine → view path the terminal runs (only the curses write is left out).
struct UIBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ui", abstract: "Frame and slice-step times of the viewer.")

    @Option(help: "Side of the generated scan for the slice-step test (a cube of u8).")
    var size = 1024

    @Option(help: "Where generated projects are kept between runs.")
    var workDir = "/tmp/trowel-bench-ui"

    @Flag(help: "Print one JSON object.")
    var json = false

    @Flag(help: "Only the pixel back ends' slice steps and the 3D frames (for profiling them).")
    var pixelsOnly = false

    func run() throws {
        let work = URL(fileURLWithPath: workDir)
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        if pixelsOnly { return try runPixels(work) }
        // 1. A 200×60 frame of the fossil phantom, chunks cached: view() plus the diff against the last frame.
        let fossil = try project(at: work.appendingPathComponent("fossil-256.trowel"), source: try FossilPhantom(size: 256))
        var (runner, state) = try open(fossil, width: 200, height: 60)
        _ = runner.dispatch(.input(.key(.character("+"))), to: &state)
        var previous = App.view(state)
        var frames: [Double] = []
        var cells: [Int] = []
        for i in 0..<200 {
            _ = runner.dispatch(.input(.key(.character(i % 40 < 20 ? "l" : "h"))), to: &state)
            let (grid, seconds) = BenchSupport.time { App.view(state) }
            let (runs, diffSeconds) = BenchSupport.time { grid.changes(from: previous) }
            frames.append((seconds + diffSeconds) * 1000)
            cells.append(runs.reduce(0) { $0 + $1.cells.count })
            previous = grid
        }
        // 2. Slice steps on a big generated scan zoomed to fit (the pyramid makes them cheap).
        let big = try project(at: work.appendingPathComponent("pattern-\(size).trowel"), source: PatternScan(side: size))
        (runner, state) = try open(big, width: 200, height: 60)
        var steps: [Double] = []
        var stepCells: [Int] = []
        previous = App.view(state)
        for _ in 0..<100 {
            let (grid, seconds) = BenchSupport.time { () -> CellGrid in
                _ = runner.dispatch(.input(.key(.character("]"))), to: &state)
                return App.view(state)
            }
            steps.append(seconds * 1000)
            stepCells.append(grid.changes(from: previous).reduce(0) { $0 + $1.cells.count })
            previous = grid
        }
        let level = state.viewport.pyramidLevel(available: state.scan.levelCount)
        // 3. What a slice step costs on the wire: bytes ncurses writes (xterm-256color, 200×60).
        let (_, bigBytes) = try bytesPerSliceStep(runner: runner, state: &state)
        (runner, state) = try open(fossil, width: 200, height: 60)
        _ = runner.dispatch(.input(.key(.character("+"))), to: &state)
        let fossilZoom = String(format: "%.2f", state.viewport.zoom)
        let (fullFrame, fossilBytes) = try bytesPerSliceStep(runner: runner, state: &state)
        // The same noisy slices in every colour mode: what a slow SSH link pays per step.
        var byMode: [String: Any] = [:]
        for mode in ColorMode.allCases {
            (runner, state) = try open(fossil, width: 200, height: 60, colorMode: mode)
            _ = runner.dispatch(.input(.key(.character("+"))), to: &state)
            let (frame, steps) = try bytesPerSliceStep(runner: runner, state: &state)
            byMode[mode.rawValue] = ["full_frame": frame, "slice_step_median": median(steps)]
        }
        // 4. Pixel back ends: the 1024² slice on 200×60 cells of 10×20 pixels, one image per step.
        var graphics: [String: Any] = [:]
        for p in GraphicsProtocol.allCases where p.drawsPixels {
            graphics[p.rawValue] = try graphicsSteps(big, protocol: p)
        }
        // 5. The 3D view: ray casting the level the viewer reads (largest side ≤ 160) into a 360×247 frame.
        var view3D: [String: Any] = [:]
        for side in [128, 256] {
            view3D["\(side)^3"] = try render3DTimes(side: side)
        }
        // A 512³ scan as the viewer sees it: the pyramid level of at most 160 a side (128³), read once.
        let scan512 = try project(at: work.appendingPathComponent("pattern-512.trowel"), source: PatternScan(side: 512))
        view3D["512^3_pyramid"] = try render3DTimes(project: scan512)
        let result: [String: Any] = [
            "benchmark": "ui",
            "view3d_360x247_ms": view3D,
            "graphics_200x60_cells_10x20_px_slice_step": graphics,
            "frame_200x60_ms": ["median": median(frames), "p95": percentile(frames, 0.95), "max": frames.max() ?? 0],
            "frame_changed_cells_median": median(cells.map(Double.init)),
            "slice_step_\(size)_fit_ms": ["median": median(steps), "p95": percentile(steps, 0.95), "max": steps.max() ?? 0],
            "slice_step_pyramid_level": level,
            "slice_step_changed_cells_median": median(stepCells.map(Double.init)),
            "terminal_bytes_per_slice_step": ["pattern_\(size)_fit_median": median(bigBytes),
                                              "fossil_256_zoom_\(fossilZoom)_median": median(fossilBytes),
                                              "fossil_256_full_frame": fullFrame,
                                              "fossil_256_by_color_mode": byMode],
            "peak_rss_mb": BenchSupport.peakResidentMegabytes(),
        ]
        if json {
            try BenchSupport.printJSON(result)
        } else {
            print(String(format: "frame 200×60: median %.2f ms, p95 %.2f ms; slice step on %d³ (level %d): median %.2f ms, p95 %.2f ms",
                         median(frames), percentile(frames, 0.95), size, level, median(steps), percentile(steps, 0.95)))
        }
    }

    /// Steps 4 and 5 alone.
    func runPixels(_ work: URL) throws {
        let big = try project(at: work.appendingPathComponent("pattern-\(size).trowel"), source: PatternScan(side: size))
        var graphics: [String: Any] = [:]
        for p in GraphicsProtocol.allCases where p.drawsPixels {
            graphics[p.rawValue] = try graphicsSteps(big, protocol: p)
        }
        let scan512 = try project(at: work.appendingPathComponent("pattern-512.trowel"), source: PatternScan(side: 512))
        let result: [String: Any] = ["benchmark": "ui", "graphics_200x60_cells_10x20_px_slice_step": graphics,
                                     "view3d_360x247_ms": ["512^3_pyramid": try render3DTimes(project: scan512)]]
        try BenchSupport.printJSON(result)
    }

    /// Coarse (ray step 2) and full (step 1) 3D frames of a `side`³ pattern scan with a labelled
    /// ball, turning 0.15 rad per frame as the arrow keys do. A 512³ scan renders its 128³ level.
    func render3DTimes(side: Int) throws -> [String: Any] {
        let block = try PatternScan(side: side).readSlices(0..<side).converted(to: Float.self)
        return render3DTimes(block.shape, values: block.elements, level: 0)
    }

    /// The same for a project's scan, read from the level the 3D view uses; with the time to read it.
    /// Opening the 3D view (`D`) in the viewer on `url`: how long the key holds the UI thread
    /// (pooling the painted labels onto the view's level), and how long until the first frame
    /// arrives from the background renderer.
    func open3D(project url: URL) throws -> [String: Any] {
        var (runner, state) = try open(url, width: 200, height: 60, colorMode: .truecolor)
        let start = DispatchTime.now().uptimeNanoseconds
        _ = runner.dispatch(.input(.key(.character("D"))), to: &state)
        let key = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
        let deadline = Date().addingTimeInterval(30)
        while state.view3D?.frame == nil && Date() < deadline {
            for message in runner.drainBackground() { _ = runner.dispatch(message, to: &state) }
            usleep(1000)
        }
        let frame = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
        return ["key_on_ui_thread_ms": key, "first_frame_ms": frame]
    }

    func render3DTimes(project url: URL) throws -> [String: Any] {
        let volume = try MultiscaleVolume.open(at: try Project.open(at: url).volumeURL)
        let (values, readSeconds) = try BenchSupport.time { () throws -> (Shape, Int, [Float]) in
            let level = EffectRunner.view3DLevel(of: volume)
            let shape = volume.levels[level].shape
            return (shape, level, try volume.read(shape.box, level: level).converted(to: Float.self).elements)
        }
        var out = render3DTimes(values.0, values: values.2, level: values.1)
        out["open_in_viewer"] = try open3D(project: url)
        out["level"] = values.1
        out["level_shape"] = "\(values.0.x)x\(values.0.y)x\(values.0.z)"
        out["read_level_ms"] = readSeconds * 1000
        return out
    }

    func render3DTimes(_ shape: Shape, values: [Float], level: Int) -> [String: Any] {
        let side = shape.largestSide
        var labels = [UInt8](repeating: 0, count: shape.voxelCount)
        let c = Double(side) / 2, r = Double(side) / 4
        for z in 0..<side {
            for y in 0..<side {
                for x in 0..<side {
                    let dx = Double(x) - c, dy = Double(y) - c * 0.8, dz = Double(z) - c
                    if dx * dx + dy * dy + dz * dz < r * r { labels[shape.offset(z: z, y: y, x: x)] = 1 }
                }
            }
        }
        let volume = RenderVolume(shape: shape, level: level, values: values, labels: labels)
        let ramp = (0..<256).map { RGB(grey: UInt8($0)) }
        var camera = Camera3D()
        var coarse: [Double] = [], full: [Double] = []
        for _ in 0..<10 {
            camera.yaw += 0.15
            for (step, into) in [(2.0, 0), (1.0, 1)] {
                let (_, seconds) = BenchSupport.time {
                    VolumeRenderer.render(volume, camera: camera, width: 360, height: 247, step: step, window: (96, 160),
                                          classColors: [1: RGB(232, 196, 104)], ramp: ramp, background: .black)
                }
                if into == 0 { coarse.append(seconds * 1000) } else { full.append(seconds * 1000) }
            }
        }
        return ["coarse_median": median(coarse), "full_median": median(full), "full_max": full.max() ?? 0]
    }

    /// Slice steps with the panes drawn as `p` images through a real curses backend into a file:
    /// time per step (read + compose + encode + write) and its parts, and the bytes per step beside
    /// what the slice costs as a PNG of itself.
    func graphicsSteps(_ url: URL, protocol p: GraphicsProtocol) throws -> [String: Any] {
        var (runner, state) = try open(url, width: 200, height: 60, colorMode: .truecolor)
        state.useGraphics(p, cellPixels: (10, 20))
        _ = runner.dispatch(.tick, to: &state)
        setenv("COLUMNS", "200", 1)
        setenv("LINES", "60", 1)
        var template = Array("/tmp/trowel-bench-pixels-XXXXXX".utf8CString)
        let fd = mkstemp(&template)
        let path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        defer {
            close(fd)
            unlink(path)
        }
        let backend = try CursesBackend.offscreen(terminalType: "xterm-direct", output: fd, colorMode: .truecolor)
        defer { backend.restore() }
        backend.useGraphics(GraphicsSetup(graphics: p, cellSize: (10, 20)))
        func written() -> Int {
            var info = stat()
            fstat(fd, &info)
            return Int(info.st_size)
        }
        let cache = PaneImageCache()
        backend.draw(App.view(state), images: App.paneImages(state, cache: cache))
        let fullFrame = written()
        var total: [Double] = [], read: [Double] = [], compose: [Double] = [], encode: [Double] = [], bytes: [Double] = []
        var unchangedCached: [Double] = [], unchangedUncached: [Double] = []
        var legacyEncode: [Double] = [], legacyBytes: [Double] = []
        var cpu: [Double] = []
        for _ in 0..<30 {
            let before = written()
            let cpuBefore = BenchSupport.cpuSeconds()
            let (_, readSeconds) = BenchSupport.time { _ = runner.dispatch(.input(.key(.character("]"))), to: &state) }
            let ((grid, images), composeSeconds) = BenchSupport.time { (App.view(state), App.paneImages(state, cache: cache)) }
            let (_, encodeSeconds) = BenchSupport.time { backend.draw(grid, images: images) }
            cpu.append((BenchSupport.cpuSeconds() - cpuBefore) * 1000)
            read.append(readSeconds * 1000)
            compose.append(composeSeconds * 1000)
            encode.append(encodeSeconds * 1000)
            total.append((readSeconds + composeSeconds + encodeSeconds) * 1000)
            bytes.append(Double(written() - before))
            // A render with nothing changed (a tick, a status line): cached panes cost nothing.
            unchangedCached.append(BenchSupport.time { _ = App.paneImages(state, cache: cache) }.1 * 1000)
            unchangedUncached.append(BenchSupport.time { _ = App.paneImages(state) }.1 * 1000)
            // What the encoders before PNG frames cost on the same frame, in the same run.
            if let main = images.first {
                let (legacy, seconds) = BenchSupport.time { () -> Int in
                    switch p {
                    case .kitty: return (try? KittyEncoder(format: .rgb).transmit(main.image, id: 1, columns: main.columns, rows: main.rows).count) ?? 0
                    case .iterm:
                        let png = try? main.image.withRGBBytes { try PNGImageCodec.encodeRGB($0, width: main.image.width, height: main.image.height) }
                        return ((png?.count ?? 0) + 2) / 3 * 4
                    default: return 0
                    }
                }
                legacyEncode.append(seconds * 1000)
                legacyBytes.append(Double(legacy))
            }
        }
        // Cursor moves: the crosshair changes a few hundred pixels of the frame.
        var moveBytes: [Double] = [], moveMs: [Double] = []
        for i in 0..<20 {
            let before = written()
            let (_, seconds) = BenchSupport.time {
                _ = runner.dispatch(.input(.key(.character(i % 10 < 5 ? "l" : "h"))), to: &state)
                backend.draw(App.view(state), images: App.paneImages(state, cache: cache))
            }
            moveBytes.append(Double(written() - before))
            moveMs.append(seconds * 1000)
        }
        // What the slice shown costs as an image of itself: its voxels (through the window) as a PNG.
        let slice = state.images[0]
        var pngBytes = 0
        if let slice {
            let side = slice.columns.count, rows = slice.rows.count
            var grey = [UInt8](repeating: 0, count: side * rows * 3)
            for r in 0..<rows {
                for c in 0..<side {
                    let v = UInt8(state.contrast.grey(Double(slice.values[r * side + c])) * 255)
                    grey[3 * (r * side + c)] = v
                    grey[3 * (r * side + c) + 1] = v
                    grey[3 * (r * side + c) + 2] = v
                }
            }
            pngBytes = try grey.withUnsafeBytes { try PNGImageCodec.encodeRGB($0, width: side, height: rows, fast: false).count }
        }
        let image = App.paneImages(state).first?.image
        return [
            "image_px": "\(image?.width ?? 0)x\(image?.height ?? 0)",
            "pyramid_level": state.viewport.pyramidLevel(available: state.scan.levelCount),
            "zoom": state.viewport.zoom,
            "step_ms": ["median": median(total), "p95": percentile(total, 0.95), "max": total.max() ?? 0],
            // CPU time of the step, all threads (the encoders use two): what a quiet machine's wall time is bounded by.
            "step_cpu_ms_median": median(cpu),
            "read_ms_median": median(read), "compose_ms_median": median(compose), "encode_write_ms_median": median(encode),
            "bytes_per_step_median": median(bytes), "full_frame_bytes": fullFrame,
            "cursor_move": ["bytes_median": median(moveBytes), "ms_median": median(moveMs)],
            "compose_unchanged_ms_median": ["cached": median(unchangedCached), "uncached": median(unchangedUncached)],
            "panes_composed": cache.composed, "panes_reused": cache.reused,
            "before_png_frames": p == .sixel ? "same encoder" : (p == .kitty ? "f=24 zlib RGB" : "libpng RGB"),
            "before_png_frames_encode_ms_median": median(legacyEncode), "before_png_frames_bytes_median": median(legacyBytes),
            "slice_as_png_bytes": pngBytes,
        ]
    }

    /// Draws the view through a real curses backend into a file, then 40 slice steps: the bytes of
    /// the first full frame and of each step.
    func bytesPerSliceStep(runner: EffectRunner, state: inout AppState) throws -> (fullFrame: Int, steps: [Double]) {
        setenv("COLUMNS", "\(state.screen.width)", 1)
        setenv("LINES", "\(state.screen.height)", 1)
        var template = Array("/tmp/trowel-bench-term-XXXXXX".utf8CString)
        let fd = mkstemp(&template)
        let path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        defer {
            close(fd)
            unlink(path)
        }
        let terminal = state.colorMode == .truecolor ? "xterm-direct" : "xterm-256color"
        let backend = try CursesBackend.offscreen(terminalType: terminal, output: fd, colorMode: state.colorMode)
        defer { backend.restore() }
        func written() -> Int {
            var info = stat()
            fstat(fd, &info)
            return Int(info.st_size)
        }
        backend.draw(App.view(state))
        let fullFrame = written()
        var bytes: [Double] = []
        for _ in 0..<40 {
            let before = written()
            _ = runner.dispatch(.input(.key(.character("]"))), to: &state)
            backend.draw(App.view(state))
            bytes.append(Double(written() - before))
        }
        return (fullFrame, bytes)
    }

    func open(_ url: URL, width: Int, height: Int, colorMode: ColorMode = .palette256) throws -> (EffectRunner, AppState) {
        let session = try AnnotationSession(project: try Project.open(at: url), author: "bench")
        let runner = EffectRunner(session: session, taskSize: 128, palette: [])
        let scan = ScanInfo(name: url.lastPathComponent, shape: session.volume.shape, dtype: session.volume.dtype,
                            voxelSize: session.record.voxelSize, levelCount: session.volume.levels.count, values: session.record.values)
        var state = AppState(scan: scan, classes: try runner.classStyles(), screen: (width, height), colorMode: colorMode)
        _ = runner.dispatch(.tick, to: &state)
        return (runner, state)
    }

    /// The project at `url`, converted from `source` the first time.
    func project(at url: URL, source: SliceSource) throws -> URL {
        if FileManager.default.fileExists(atPath: url.appendingPathComponent(Project.databaseName).path) { return url }
        FileHandle.standardError.write(Data("generating \(url.path) (once)…\n".utf8))
        _ = try ProjectBuilder().build(from: source, at: url)
        return url
    }

    func median(_ v: [Double]) -> Double { percentile(v, 0.5) }

    func percentile(_ v: [Double], _ p: Double) -> Double {
        guard !v.isEmpty else { return 0 }
        let s = v.sorted()
        return s[min(s.count - 1, Int(Double(s.count - 1) * p))]
    }
}

/// A cheap generated u8 scan of any size (rings and noise), for timing the viewer on huge volumes
/// without waiting for the fossil phantom's slower generator.
struct PatternScan: SliceSource {
    let side: Int
    var shape: Shape { .cube(side) }
    var dtype: DType { .u8 }
    var summary: String { "pattern \(side)³ (uint8)" }

    func readSlices(_ range: Range<Int>) throws -> AnyBlock {
        var block = Block<UInt8>(shape: Shape(z: range.count, y: side, x: side), repeating: 0)
        let c = Double(side) / 2
        block.elements.withUnsafeMutableBufferPointer { out in
            var i = 0
            for z in range {
                for y in 0..<side {
                    let dy = Double(y) - c, dz = Double(z) - c
                    for x in 0..<side {
                        let dx = Double(x) - c
                        let r = (dx * dx + dy * dy + dz * dz).squareRoot()
                        var h = UInt32(truncatingIfNeeded: x &* 73_856_093 ^ y &* 19_349_663 ^ z &* 83_492_791)
                        h = (h ^ (h >> 13)) &* 0x5BD1_E995
                        out[i] = UInt8(truncatingIfNeeded: Int(r) & 0x3F) &+ 96 &+ UInt8(truncatingIfNeeded: h >> 28)
                        i += 1
                    }
                }
            }
        }
        return .u8(block)
    }
}
