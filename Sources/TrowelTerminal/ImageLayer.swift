import Foundation
import TrowelUI

/// The pixel panes on screen, drawn over curses' cells after each `doupdate`: each pane's frame is
/// encoded (kitty, sixel or iTerm2) and written at its top-left cell with the cursor saved and
/// restored, only when it changed or curses wrote over it. kitty frames alternate two image ids so
/// the old one is deleted only after the new one is placed. A small change (the cursor moved, a
/// dab painted) costs its rectangle: kitty edits the image on screen, sixel draws an image of the
/// changed cells over it.
final class ImageLayer {
    let setup: GraphicsSetup
    private var shown: [Int: (image: PaneImage, id: UInt32)] = [:]
    /// Set when the screen was cleared: every pane is sent again even if unchanged.
    private var stale = false
    private let kitty = KittyEncoder()
    private let sixel: SixelEncoder
    private let iterm = ITermEncoder()
    /// Bytes written by the last `draw`.
    private(set) var lastBytes = 0
    /// Why the last frame could not be encoded, if it could not (then cells are drawn instead).
    private(set) var lastFailure: String?

    init(setup: GraphicsSetup) {
        self.setup = setup
        sixel = SixelEncoder(registers: setup.sixelRegisters)
    }

    /// Draws `images`; `touched` are the cell runs curses just rewrote (a pane they overlap is
    /// drawn again, since the cells replaced part of a sixel or iTerm2 image).
    func draw(_ images: [PaneImage], touched: [CellGrid.Run], write: ([UInt8]) -> Void) {
        var out: [UInt8] = []
        let wanted = Set(images.map(\.pane))
        for (pane, old) in shown where !wanted.contains(pane) {
            if setup.graphics == .kitty { out += kitty.delete(id: old.id) }
            shown[pane] = nil
        }
        for image in images {
            let old = shown[image.pane]
            let overwritten = setup.graphics != .kitty && touched.contains { run in
                run.row >= image.row && run.row < image.row + image.rows
                    && run.column < image.column + image.columns && run.column + run.cells.count > image.column
            }
            if let old, Self.same(old.image, image), !overwritten, !stale { continue }
            // kitty: a small change (the cursor moved, a dab painted) edits the image on screen in place.
            if setup.graphics == .kitty, let old, !stale, let patch = Self.patch(from: old.image, to: image) {
                do {
                    out += try kitty.edit(id: old.id, x: patch.x, y: patch.y,
                                          with: image.image.cropped(x: patch.x, y: patch.y, width: patch.width, height: patch.height))
                    shown[image.pane] = (image, old.id)
                    lastFailure = nil
                    continue
                } catch {
                    lastFailure = "\(error)"
                }
            }
            // sixel: the same, as a new image of just the changed cells written at the first of them
            // (a sixel image starts at the cursor's cell and paints over what is there).
            if setup.graphics == .sixel, let old, !overwritten, !stale, let cells = image.changedCells(from: old.image),
               cells.columns * cells.rows < image.columns * image.rows, let cell = image.cellPixels {
                let x = cells.column * cell.width, y = cells.row * cell.height
                let patch = image.image.cropped(x: x, y: y, width: cells.columns * cell.width, height: cells.rows * cell.height)
                out += Array("\u{1B}7\u{1B}[\(image.row + cells.row + 1);\(image.column + cells.column + 1)H\u{1B}[?80l".utf8)
                out += sixel.encode(patch)
                out += Array("\u{1B}8".utf8)
                shown[image.pane] = (image, old.id)
                lastFailure = nil
                continue
            }
            let id = Self.imageID(pane: image.pane, alternate: old.map { $0.id % 2 == 1 } ?? false)
            do {
                out += Array("\u{1B}7\u{1B}[\(image.row + 1);\(image.column + 1)H".utf8)
                switch setup.graphics {
                case .kitty:
                    out += try kitty.transmit(image.image, id: id, columns: image.columns, rows: image.rows)
                    if let old, old.id != id { out += kitty.delete(id: old.id) }
                case .sixel:
                    // Sixel scrolling mode: the image starts at the cursor, not at the screen's corner.
                    out += Array("\u{1B}[?80l".utf8)
                    out += sixel.encode(image.image)
                case .iterm:
                    out += try iterm.encode(image.image, columns: image.columns, rows: image.rows)
                case .cells:
                    break
                }
                out += Array("\u{1B}8".utf8)
                shown[image.pane] = (image, id)
                lastFailure = nil
            } catch {
                lastFailure = "\(error)"
            }
        }
        stale = false
        lastBytes = out.count
        if !out.isEmpty { write(setup.tmuxPassthrough ? TmuxPassthrough.wrap(out) : out) }
    }

    /// The rectangle of `new` that differs from `old` when it is at most a quarter of the image
    /// (and both cover the same cells at the same size); nil when the whole frame should go.
    static func patch(from old: PaneImage, to new: PaneImage) -> (x: Int, y: Int, width: Int, height: Int)? {
        guard old.column == new.column, old.row == new.row, old.columns == new.columns, old.rows == new.rows,
              old.image.width == new.image.width, old.image.height == new.image.height,
              let r = new.image.changedRectangle(from: old.image) else { return nil }
        return r.width * r.height * 4 <= new.image.width * new.image.height ? r : nil
    }

    /// True when `a` and `b` cover the same cells with the same pixels (compared as bytes: a
    /// frame is megabytes, and an unchanged pane must cost next to nothing).
    static func same(_ a: PaneImage, _ b: PaneImage) -> Bool {
        guard a.pane == b.pane, a.column == b.column, a.row == b.row, a.columns == b.columns, a.rows == b.rows,
              a.image.width == b.image.width, a.image.height == b.image.height, a.image.marks == b.image.marks else { return false }
        return a.image.withRGBBytes { x in b.image.withRGBBytes { y in x.count == y.count && (x.count == 0 || memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0) } }
    }

    /// Forgets what is shown, so every pane is drawn again (after the screen was cleared).
    func invalidate() {
        if setup.graphics == .kitty {
            // kitty may keep images across a clear: the next draw places new ones, then deletes these.
            stale = true
        } else {
            shown = [:]
        }
    }

    /// What removes every image before the terminal is given back (kitty keeps them otherwise).
    func removeAll() -> [UInt8] {
        shown = [:]
        guard setup.graphics == .kitty else { return [] }
        let bytes = kitty.deleteAll()
        return setup.tmuxPassthrough ? TmuxPassthrough.wrap(bytes) : bytes
    }

    /// Image ids 9001… : two per pane, `alternate` picking the other of the pair.
    static func imageID(pane: Int, alternate: Bool) -> UInt32 {
        UInt32(9000 + 2 * (pane + 16)) + (alternate ? 0 : 1)
    }
}

/// tmux's passthrough: each image escape (APC, DCS, OSC) inside `ESC P tmux; … ESC \` with its ESCs
/// doubled, so tmux hands it to the outer terminal unchanged (needs `allow-passthrough on`); cursor
/// moves stay tmux's own. One wrapper per escape keeps each under tmux's input limit.
enum TmuxPassthrough {
    static func wrap(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + bytes.count / 2048 * 16 + 16)
        var i = 0
        while i < bytes.count {
            let isString = bytes[i] == 0x1B && i + 1 < bytes.count && [UInt8(ascii: "_"), UInt8(ascii: "P"), UInt8(ascii: "]")].contains(bytes[i + 1])
            guard isString else {
                out.append(bytes[i])
                i += 1
                continue
            }
            var end = i + 2
            while end < bytes.count {
                if bytes[end] == 0x07 { end += 1; break }
                if bytes[end] == 0x1B && end + 1 < bytes.count && bytes[end + 1] == UInt8(ascii: "\\") { end += 2; break }
                end += 1
            }
            out += Array("\u{1B}Ptmux;".utf8)
            for b in bytes[i..<min(end, bytes.count)] {
                out.append(b)
                if b == 0x1B { out.append(0x1B) }
            }
            out += [0x1B, UInt8(ascii: "\\")]
            i = end
        }
        return out
    }
}
