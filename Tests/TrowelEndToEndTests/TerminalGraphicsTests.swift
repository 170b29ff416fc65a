import Foundation
import Testing
import TrowelVolume

/// The real binary in real terminals on a virtual X display: kitty (kitty graphics protocol) and
/// xterm as a VT340 (sixel) must show a 1024² slice pixel for pixel, which a screenshot proves by
/// correlating the slice area with the scan; plain tmux must fall back to half-blocks and say why.
@Suite(.serialized) struct TerminalGraphicsTests {
    static let side = 1024
    static var canRun: Bool { X11Screen.missingTools().isEmpty || ProcessInfo.processInfo.environment["CI"] != nil }

    /// Per-voxel noise, so only a full-resolution drawing correlates with it (a 2×2 mean reaches ~0.5).
    static func voxel(_ x: Int, _ y: Int, _ z: Int) -> UInt8 {
        var h = UInt32(truncatingIfNeeded: x &* 73_856_093 ^ y &* 19_349_663 ^ z &* 83_492_791)
        h = (h ^ (h >> 13)) &* 0x5BD1_E995
        h ^= h >> 15
        return UInt8(30 + Int(h % 196))
    }

    /// A 1 × 1024 × 1024 raw scan converted to a project.
    func prepare(_ scratch: Scratch) throws -> (project: URL, slice: [UInt8]) {
        let n = Self.side
        var raw = [UInt8](repeating: 0, count: n * n)
        for y in 0..<n {
            for x in 0..<n { raw[y * n + x] = Self.voxel(x, y, 0) }
        }
        try Data(raw).write(to: scratch("scan.raw"))
        let project = scratch("noise.trowel")
        let r = try TrowelBinary.run(["convert", scratch("scan.raw").path, "--shape", "1,\(n),\(n)", "--dtype", "u8", "-o", project.path])
        #expect(r.status == 0, "\(r.stderr)")
        return (project, raw)
    }

    /// Where the slice is in a screenshot: the longest run of columns (then rows) that are mostly
    /// textured grey pixels (grey, and unlike the pixel two to the right, which shows another voxel
    /// below 2× zoom); flat title bars, the black root window and the small minimap do not count.
    static func sliceBox(_ shot: (width: Int, height: Int, rgb: [UInt8])) -> (x: Range<Int>, y: Range<Int>)? {
        let w = shot.width, h = shot.height
        func longestRun(_ flags: [Bool]) -> Range<Int> {
            var best = 0..<0, start: Int?
            for (i, f) in (flags + [false]).enumerated() {
                if f, start == nil { start = i }
                if !f, let s = start {
                    if i - s > best.count { best = s..<i }
                    start = nil
                }
            }
            return best
        }
        return shot.rgb.withUnsafeBufferPointer { p -> (x: Range<Int>, y: Range<Int>)? in
            func isSlice(_ x: Int, _ y: Int) -> Bool {
                guard x + 2 < w else { return false }
                let i = 3 * (y * w + x)
                return p[i] == p[i + 1] && p[i + 1] == p[i + 2] && p[i] != p[i + 6]
            }
            // Every fourth row (then column) is enough to find a 1000-pixel square.
            let columns = longestRun((0..<w).map { x in stride(from: 0, to: h, by: 4).filter { isSlice(x, $0) }.count > 200 })
            guard columns.count > 500 else { return nil }
            let sampled = stride(from: columns.lowerBound, to: columns.upperBound, by: 4).map { $0 }
            let rows = longestRun((0..<h).map { y in sampled.filter { isSlice($0, y) }.count > sampled.count * 3 / 4 })
            guard rows.count > 500 else { return nil }
            return (columns, rows)
        }
    }

    /// Pearson correlation of the screenshot's slice area with `slice` resampled onto it, nearest
    /// neighbour as the viewer draws, at the best sub-pixel phases (searched on a few rows first).
    static func correlation(_ shot: (width: Int, height: Int, rgb: [UInt8]), box: (x: Range<Int>, y: Range<Int>), slice: [UInt8]) -> Double {
        let phases = [0.0, 0.25, 0.5, 0.75]
        var best = (r: -2.0, px: 0.0, py: 0.0)
        for px in phases {
            for py in phases {
                let r = correlation(shot, box: box, slice: slice, phase: (px, py), rowStep: 16)
                if r > best.r { best = (r, px, py) }
            }
        }
        return correlation(shot, box: box, slice: slice, phase: (best.px, best.py), rowStep: 2)
    }

    static func correlation(_ shot: (width: Int, height: Int, rgb: [UInt8]), box: (x: Range<Int>, y: Range<Int>), slice: [UInt8],
                            phase: (x: Double, y: Double), rowStep: Int) -> Double {
        let n = side
        let zx = Double(box.x.count) / Double(n), zy = Double(box.y.count) / Double(n)
        let columnOf = box.x.map { x in min(n - 1, Int((Double(x - box.x.lowerBound) + phase.x) / zx)) }
        var sa = 0.0, sb = 0.0, saa = 0.0, sbb = 0.0, sab = 0.0, count = 0.0
        for y in stride(from: box.y.lowerBound, to: box.y.upperBound, by: rowStep) {
            let r = min(n - 1, Int((Double(y - box.y.lowerBound) + phase.y) / zy))
            for (k, x) in box.x.enumerated() {
                let a = Double(shot.rgb[3 * (y * shot.width + x)]), b = Double(slice[r * n + columnOf[k]])
                sa += a; sb += b; saa += a * a; sbb += b * b; sab += a * b; count += 1
            }
        }
        let cov = sab / count - sa / count * sb / count
        let va = saa / count - (sa / count) * (sa / count), vb = sbb / count - (sb / count) * (sb / count)
        return cov / (va * vb).squareRoot()
    }

    /// Screenshots until the slice is on screen (or 45 s pass: a loaded machine starts kitty slowly);
    /// checks it is drawn at full resolution.
    func expectPixelTrueSlice(on screen: X11Screen, slice: [UInt8], scratch: Scratch, terminal: String) throws {
        let deadline = Date().addingTimeInterval(45)
        var box: (x: Range<Int>, y: Range<Int>)?
        var shot = try screen.screenshot(to: scratch("\(terminal).png"))
        while Date() < deadline {
            if let b = Self.sliceBox(shot), b.y.count >= Self.side - 8 {
                usleep(500_000)
                shot = try screen.screenshot(to: scratch("\(terminal).png"))
                box = Self.sliceBox(shot)
                break
            }
            usleep(400_000)
            shot = try screen.screenshot(to: scratch("\(terminal).png"))
        }
        let found = try #require(box, "\(terminal): no slice-sized image on screen (screenshot \(scratch("\(terminal).png").path))")
        // At least one screen pixel per voxel both ways: the fitted 1024² slice at full resolution.
        #expect(found.x.count >= Self.side && found.y.count >= Self.side, "\(terminal): slice drawn \(found.x.count)×\(found.y.count)")
        let r = Self.correlation(shot, box: found, slice: slice)
        // The same slice seen at half resolution (2×2 means), for contrast.
        var half = slice
        let n = Self.side
        for y in stride(from: 0, to: n, by: 2) {
            for x in stride(from: 0, to: n, by: 2) {
                let m = UInt8((Int(slice[y * n + x]) + Int(slice[y * n + x + 1]) + Int(slice[(y + 1) * n + x]) + Int(slice[(y + 1) * n + x + 1])) / 4)
                half[y * n + x] = m; half[y * n + x + 1] = m; half[(y + 1) * n + x] = m; half[(y + 1) * n + x + 1] = m
            }
        }
        let coarse = Self.correlation(shot, box: found, slice: half)
        print("graphics e2e: \(terminal) slice drawn \(found.x.count)×\(found.y.count) px, correlation \(r) (half resolution \(coarse))")
        #expect(r > 0.99, "\(terminal): slice area correlates \(r) with the scan (half resolution: \(coarse))")
        #expect(r > coarse + 0.2, "\(terminal): full \(r) vs half resolution \(coarse)")
    }

    /// The crosshair's pixels (the dark theme's cursor colour) in a screenshot: how many, and their mean x.
    static func cursorPixels(_ shot: (width: Int, height: Int, rgb: [UInt8])) -> (count: Int, meanX: Double) {
        var count = 0, sum = 0
        for i in 0..<(shot.width * shot.height) {
            let r = Int(shot.rgb[3 * i]), g = Int(shot.rgb[3 * i + 1]), b = Int(shot.rgb[3 * i + 2])
            if abs(r - 255) < 10 && abs(g - 80) < 10 && abs(b - 200) < 10 {
                count += 1
                sum += i % shot.width
            }
        }
        return (count, count > 0 ? Double(sum) / Double(count) : 0)
    }

    /// Three presses of `l` in kitty: the crosshair moves right on screen — sent as edits of the
    /// image's changed rectangle, not whole frames — and leaves no trace where it was.
    func expectCursorMovesByEditingTheImage(on screen: X11Screen, socket: String, slice: [UInt8], scratch: Scratch) throws {
        let before = Self.cursorPixels(try screen.screenshot(to: scratch("kitty-cursor-0.png")))
        #expect(before.count > 20, "kitty: no crosshair on screen")
        let (status, output) = try Spawn.run(["kitty", "@", "--to", socket, "send-text", "lll"])
        #expect(status == 0, "kitty @ send-text: \(output)")
        let deadline = Date().addingTimeInterval(20)
        var after = before
        while Date() < deadline {
            usleep(300_000)
            after = Self.cursorPixels(try screen.screenshot(to: scratch("kitty-cursor-1.png")))
            if after.meanX > before.meanX + 2.5 { break }
        }
        print("graphics e2e: kitty crosshair \(before.count) px at x \(before.meanX), after lll \(after.count) px at x \(after.meanX)")
        // Three voxels right at 1.11 screen pixels each; the old cross is gone (no second one).
        #expect(after.meanX > before.meanX + 2.5 && after.meanX < before.meanX + 5, "kitty: the crosshair did not move 3 voxels right")
        #expect(after.count > before.count / 2 && after.count < before.count * 3 / 2, "kitty: \(after.count) crosshair pixels, \(before.count) before")
        let shot = try screen.screenshot(to: scratch("kitty-cursor-1.png"))
        let box = try #require(Self.sliceBox(shot), "kitty: the slice is gone after moving the cursor")
        let r = Self.correlation(shot, box: box, slice: slice)
        #expect(r > 0.99, "kitty: after the cursor moved the slice correlates \(r)")
    }

    @Test(.enabled(if: canRun, "needs Xvfb, kitty, xterm and ImageMagick (Scripts/install-deps); runs whenever CI is set"))
    func kittyAndXtermSixelShowTheSlicePixelForPixelAndTmuxUsesHalfBlocks() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        var started = Date()
        let (project, slice) = try prepare(scratch)
        print("graphics e2e: scan converted after \(Date().timeIntervalSince(started)) s")
        // tmux gets a copy of its own, made before anything opens the project: no session there is
        // read-only or waits for another's lock.
        let copy = scratch("tmux.trowel")
        try FileManager.default.copyItem(at: project, to: copy)
        // A fresh home (no user config), but a lasting cache so fontconfig is not rebuilt every run.
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("trowel-e2e-terminal-cache").path
        let environment = ["HOME": scratch.url.path, "XDG_CONFIG_HOME": scratch.url.path, "XDG_DATA_HOME": scratch.url.path,
                           "XDG_CACHE_HOME": cache]
        // Both terminals start at once, each on a display of its own.
        let kittyScreen = try X11Screen(width: 1600, height: 1200)
        defer { kittyScreen.stop() }
        let xtermScreen = try X11Screen(width: 1600, height: 1200)
        defer { xtermScreen.stop() }
        // Remote control lets the test press keys in kitty.
        let socket = "unix:" + scratch("kitty.sock").path
        try kittyScreen.launch(["kitty", "--config", "NONE", "-o", "font_size=11", "-o", "initial_window_width=1580",
                                "-o", "initial_window_height=1180", "-o", "remember_window_size=no", "-o", "allow_remote_control=yes",
                                "--listen-on", socket, TrowelBinary.url.path, project.path],
                               environment: environment)
        try xtermScreen.launch(["xterm", "-ti", "vt340", "-xrm", "XTerm*decTerminalID: vt340", "-xrm", "XTerm*numColorRegisters: 256",
                                "-xrm", "XTerm*maxGraphicSize: 2048x2048", "-fn", "fixed", "-geometry", "260x85+0+0",
                                "-e", TrowelBinary.url.path, project.path], environment: environment)
        // Meanwhile, plain tmux (no allow-passthrough): half-blocks, and the status line says why.
        let tmux = Tmux()
        defer { tmux.kill() }
        try tmux.start("TERM=xterm-256color XDG_CONFIG_HOME=\(scratch.url.path) \(TrowelBinary.url.path) \(copy.path); sleep 120")
        started = Date()
        try expectPixelTrueSlice(on: kittyScreen, slice: slice, scratch: scratch, terminal: "kitty")
        print("graphics e2e: kitty checked after \(Date().timeIntervalSince(started)) s")
        try expectCursorMovesByEditingTheImage(on: kittyScreen, socket: socket, slice: slice, scratch: scratch)
        started = Date()
        try expectPixelTrueSlice(on: xtermScreen, slice: slice, scratch: scratch, terminal: "xterm-sixel")
        print("graphics e2e: xterm checked after \(Date().timeIntervalSince(started)) s")
        try tmux.wait(for: "? help")
        let screen = try tmux.screen()
        #expect(screen.contains("▀"), "tmux: no half-blocks on screen:\n\(screen)")
        #expect(screen.contains("allow-passthrough"), "tmux: the status line does not say why there are no pixels:\n\(screen)")
        // D opens the 3D view: the key is answered at once, the frame comes from the background
        // renderer through the wake-up pipe and replaces the slice in the pane.
        func pane(_ text: String) -> [Substring] { Array(text.split(separator: "\n", omittingEmptySubsequences: false).dropFirst().dropLast(2)) }
        let before = pane(try tmux.screen(colors: true))
        try tmux.literal("D")
        try tmux.wait(for: "3D view of the painted labels")
        let deadline = Date().addingTimeInterval(20)
        var shown = pane(try tmux.screen(colors: true))
        while shown == before && Date() < deadline {
            usleep(200_000)
            shown = pane(try tmux.screen(colors: true))
        }
        #expect(shown != before, "tmux: the 3D frame never replaced the slice")
    }
}
