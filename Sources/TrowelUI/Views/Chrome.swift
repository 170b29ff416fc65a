import TrowelEngine
/// The title row, the status row and the overlays (help, task list, command line, too small).
struct Chrome {
    let state: AppState
    let painter: Painter

    func drawTitle(into grid: inout CellGrid) {
        let theme = state.theme
        painter.fill(&grid, columns: 0..<grid.width, rows: 0..<1, background: theme.statusBackground)
        let v = state.viewport
        var col = painter.text(&grid, " Trowel ", column: 0, row: 0, foreground: theme.accent, background: theme.statusBackground, bold: true)
        col = painter.text(&grid, "\(state.scan.name)  \(v.axis.planeName) slice \(v.axis) \(v.slice) of \(v.sliceCount)  "
                           + "\(state.scan.shape) \(state.scan.dtype)", column: col, row: 0, width: grid.width - col,
                           foreground: theme.statusText, background: theme.statusBackground)
        _ = col
    }

    func drawStatus(into grid: inout CellGrid) {
        let theme = state.theme
        let row = grid.height - 1
        painter.fill(&grid, columns: 0..<grid.width, rows: row..<(row + 1), background: theme.statusBackground)
        let hint = " ? help  : command  q quit "
        var left: String
        var color = theme.statusText
        if case .prompt(let text)? = state.overlay {
            left = ":" + text + "█"
        } else if let message = state.message {
            left = " " + message
            if state.messageIsError { color = theme.warning }
        } else {
            let tool = state.tool == .eraser ? "ERASER" : state.tool == .fill ? "FILL \(state.style(ofClass: state.activeClass).name)"
                : state.style(ofClass: state.activeClass).name.uppercased()
            left = " \(tool) r\(state.brushRadius)" + (state.penDown ? "  pen down: move to paint, space to lift" : "")
        }
        // Whose voxel the cursor is on, when another session painted it.
        let painted = state.overlay == nil ? state.cursorAuthor.map { " painted by \($0) " } ?? "" : ""
        let room = grid.width - hint.count - painted.count
        painter.text(&grid, String(left.prefix(max(0, room))), column: 0, row: row, foreground: color, background: theme.statusBackground,
                     bold: state.messageIsError)
        if !painted.isEmpty, room > 0 {
            painter.text(&grid, painted, column: room, row: row, foreground: theme.accent, background: theme.statusBackground, bold: true)
        }
        if room > 0 {
            painter.text(&grid, hint, column: room + painted.count, row: row, foreground: theme.dim, background: theme.statusBackground)
        }
    }

    func drawHelp(into grid: inout CellGrid) {
        var lines: [(String, Bool)] = []
        for group in Command.Group.allCases {
            lines.append((group.rawValue, true))
            for command in Command.allCases where command.group == group {
                if let n = command.classNumber, n > 2 { continue }
                let keys = state.keymap.keys(for: command).map(\.description).joined(separator: " ")
                let name = command.classNumber == 1 ? "1-9" : keys
                let text = command.classNumber == 1 ? "paint class 1-9" : command.help
                if command.classNumber == 2 { continue }
                lines.append(("  " + name.padding(toLength: 12, withPad: " ", startingAt: 0) + text, false))
            }
        }
        lines.append(("Mouse: left-drag paints, right-drag erases, wheel changes slice", true))
        box(&grid, title: "Keys (any key closes)", lines: lines)
    }

    func drawTasks(into grid: inout CellGrid, selected: Int) {
        var lines: [(String, Bool)] = []
        if state.tasks.isEmpty {
            lines.append(("No tasks yet: n starts one.", false))
        }
        for (i, t) in state.tasks.enumerated() {
            lines.append(((i == selected ? "▶ " : "  ") + "task \(t.id)  \(t.axis) \(t.slice)  \(t.rows.lowerBound),\(t.columns.lowerBound)  "
                          + (t.submitted ? "submitted" : "open"), i == selected))
        }
        box(&grid, title: "Tasks (j/k, Enter revisits, Esc closes)", lines: lines)
    }

    func drawModels(into grid: inout CellGrid, selected: Int) {
        var lines: [(String, Bool)] = []
        if state.models.isEmpty {
            lines.append(("No models yet: paint both classes and pause (or press t).", false))
        }
        for (i, m) in state.models.enumerated() {
            let mark = m.id == state.currentModel ? "●" : " "
            let accuracy = m.accuracy.map { String(format: "  accuracy %.3f", $0) } ?? ""
            lines.append(((i == selected ? "▶" : " ") + mark + " \(m.id)  \(m.trainingVoxels.formatted()) voxels" + accuracy, i == selected))
            for c in state.classes {
                let s = m.scores?[c.id].map { String(format: "P %.2f  R %.2f  F1 %.2f  J %.2f  acc %.3f", $0.precision, $0.recall, $0.f1,
                                                      $0.jaccard, $0.accuracy) } ?? "not scored (label two or more slices)"
                lines.append(("     " + c.name.padding(toLength: 8, withPad: " ", startingAt: 0) + s, false))
            }
        }
        box(&grid, title: "Models (scores on held-out slices; j/k, Enter makes current, Esc closes)", lines: lines)
    }

    func drawJobs(into grid: inout CellGrid, selected: Int) {
        var lines: [(String, Bool)] = state.jobs.enumerated().map { i, job in
            ((i == selected ? "▶ " : "  ") + job.line(barWidth: 20), i == selected)
        }
        if lines.isEmpty { lines = [("No jobs in this session: S segments the whole scan with the current model, I interpolates between labelled slices.", false)] }
        box(&grid, title: "Jobs (j/k, c stops the selected job, Esc closes)", lines: lines)
    }

    /// A framed box centred on the screen, as many columns of lines as it takes.
    private func box(_ grid: inout CellGrid, title: String, lines: [(String, Bool)]) {
        let theme = state.theme
        let maxHeight = grid.height - 4
        let lineWidth = min(grid.width - 6, max(title.count + 4, lines.map(\.0.count).max() ?? 0))
        let columns = max(1, min((lines.count + maxHeight - 1) / max(1, maxHeight), max(1, (grid.width - 4) / (lineWidth + 2))))
        let perColumn = (lines.count + columns - 1) / columns
        let w = min(grid.width - 2, columns * (lineWidth + 2) + 2), h = min(grid.height - 2, perColumn + 2)
        let x0 = (grid.width - w) / 2, y0 = (grid.height - h) / 2
        painter.fill(&grid, columns: x0..<(x0 + w), rows: y0..<(y0 + h), background: theme.panel)
        let fg = painter.color(theme.dim), bg = painter.color(theme.panel)
        for x in x0..<(x0 + w) {
            grid[x, y0] = Cell("─", foreground: fg, background: bg)
            grid[x, y0 + h - 1] = Cell("─", foreground: fg, background: bg)
        }
        for y in y0..<(y0 + h) {
            grid[x0, y] = Cell("│", foreground: fg, background: bg)
            grid[x0 + w - 1, y] = Cell("│", foreground: fg, background: bg)
        }
        grid[x0, y0] = Cell("┌", foreground: fg, background: bg)
        grid[x0 + w - 1, y0] = Cell("┐", foreground: fg, background: bg)
        grid[x0, y0 + h - 1] = Cell("└", foreground: fg, background: bg)
        grid[x0 + w - 1, y0 + h - 1] = Cell("┘", foreground: fg, background: bg)
        painter.text(&grid, " \(title) ", column: x0 + 2, row: y0, width: w - 4, foreground: theme.accent, bold: true)
        for (i, (text, strong)) in lines.enumerated() {
            let c = i / max(1, perColumn), r = i % max(1, perColumn)
            guard y0 + 1 + r < y0 + h - 1 else { continue }
            painter.text(&grid, text, column: x0 + 2 + c * (lineWidth + 2), row: y0 + 1 + r, width: lineWidth,
                         foreground: strong ? theme.accent : theme.text, bold: strong)
        }
    }

    func drawTooSmall(into grid: inout CellGrid) {
        let text = "Trowel needs at least \(Layout.minimumWidth)×\(Layout.minimumHeight); this terminal is \(grid.width)×\(grid.height)"
        let row = grid.height / 2
        var col = max(0, (grid.width - text.count) / 2)
        for word in text.split(separator: " ") where col < grid.width {
            col = grid.put(String(word) + " ", column: col, row: row)
        }
    }
}
