import TrowelUI

/// Chooses the graphics protocol from the terminal's replies, the environment and tmux: kitty when
/// the kitty graphics query says OK, iTerm2's images in iTerm2, sixel when DA1 lists it, half-blocks
/// otherwise. Pure, so the decision is tested on recorded replies.
public enum GraphicsDetection {
    /// The setup for `request`, given what the terminal answered (`replies`), the environment
    /// variables, the terminal's size in cells and the pixel size TIOCGWINSZ reports (0 when unknown).
    public static func decide(request: GraphicsRequest, replies: TerminalReplies, environment: [String: String],
                              cells: (columns: Int, rows: Int), windowPixels: (width: Int, height: Int) = (0, 0),
                              tmux: TmuxInfo? = nil) -> GraphicsSetup {
        let registers = max(2, min(1024, replies.colorRegisters ?? 256))
        let cell = cellSize(replies: replies, cells: cells, windowPixels: windowPixels)
        var note: String?
        let chosen: GraphicsProtocol
        switch request {
        case .forced(let p):
            chosen = p
        case .auto:
            if let tmux {
                // tmux answers DA1 itself: attribute 4 means tmux draws sixel (3.4 and later), no passthrough needed.
                if replies.hasSixel {
                    chosen = .sixel
                } else if !tmux.passthrough {
                    chosen = .cells
                    note = "inside tmux without allow-passthrough: half-blocks (tmux set -g allow-passthrough on, for pixels)"
                } else if isKitty(environment, clientTerminal: tmux.clientTerminal) {
                    chosen = .kitty
                } else if isITerm(environment) {
                    chosen = .iterm
                } else {
                    chosen = .cells
                    note = "inside tmux: the outer terminal (\(tmux.clientTerminal ?? "unknown")) draws no images tmux can pass on; half-blocks"
                }
            } else if replies.kittyGraphics == true {
                chosen = .kitty
            } else if isITerm(environment) {
                chosen = .iterm
            } else if replies.hasSixel {
                chosen = .sixel
            } else if replies.kittyGraphics == nil && isKitty(environment, clientTerminal: nil) {
                chosen = .kitty
            } else {
                chosen = .cells
            }
        }
        guard chosen.drawsPixels else { return GraphicsSetup(graphics: .cells, note: note) }
        guard let cell else {
            return GraphicsSetup(graphics: .cells, note: "\(chosen.rawValue): the terminal did not report its cell size in pixels; half-blocks")
        }
        if chosen == .sixel && registers < 64 {
            note = "sixel with only \(registers) colour registers: greys are coarse (xterm: -xrm 'XTerm*numColorRegisters: 256')"
        }
        return GraphicsSetup(graphics: chosen, cellSize: cell, sixelRegisters: registers,
                             tmuxPassthrough: tmux != nil && chosen != .sixel, note: note)
    }

    /// The cell size in pixels: the terminal's own answer, else the window's pixels over its cells.
    public static func cellSize(replies: TerminalReplies, cells: (columns: Int, rows: Int),
                         windowPixels: (width: Int, height: Int)) -> (width: Int, height: Int)? {
        if let c = replies.cellSize, c.width >= 2, c.height >= 2 { return c }
        for w in [replies.windowSize, windowPixels].compactMap({ $0 }) where w.width > 0 && w.height > 0 && cells.columns > 0 && cells.rows > 0 {
            let c = (width: w.width / cells.columns, height: w.height / cells.rows)
            if c.width >= 2 && c.height >= 2 { return c }
        }
        return nil
    }

    static func isKitty(_ env: [String: String], clientTerminal: String?) -> Bool {
        env["KITTY_WINDOW_ID"] != nil || env["TERM"] == "xterm-kitty" || env["TERM_PROGRAM"] == "ghostty"
            || (clientTerminal ?? "").contains("kitty") || (clientTerminal ?? "").contains("ghostty")
    }

    static func isITerm(_ env: [String: String]) -> Bool {
        env["TERM_PROGRAM"] == "iTerm.app" || env["LC_TERMINAL"] == "iTerm2"
    }
}
