import Foundation
import TrowelEngine

/// The taxon section of the side panel: the model, then probability bars (the class bars'
/// widget) for the slice in view and for the whole specimen, each ranked, most probable first.
struct IdentifyPanel {
    let state: AppState
    /// Bars per list: the most probable taxa, the rest summed up in one line.
    static let shown = 4

    /// Panel lines (text, colour, bold) for a panel `width` cells wide.
    func lines(width: Int) -> [(String, RGB?, Bool)] {
        let i = state.identify
        guard let model = i.model else {
            if let file = i.loading { return [("loading \(file)…", state.theme.dim, false)] }
            return [("no model: :identify FILE", state.theme.dim, false)]
        }
        var out: [(String, RGB?, Bool)] = [(model.file, state.theme.dim, false)]
        if let accuracy = model.specimenAccuracy {
            out.append((String(format: "held-out specimens %.2f", accuracy), state.theme.dim, false))
        }
        let v = state.viewport
        out.append(("slice \(v.axis) \(v.slice)" + (model.axes.contains(v.axis.description) ? "" : " (trained on \(model.axes.joined()))"),
                    nil, true))
        if let answer = i.taxa(axis: v.axis, index: v.slice) {
            if let ranked = answer.ranked { out += bars(ranked, width: width) } else { out.append(("too little fossil (< 2 %)", state.theme.dim, false)) }
        } else {
            out.append(("…", state.theme.dim, false))
        }
        if let s = i.specimen {
            out.append(("specimen" + (s.isComplete ? ", \(s.slicesUsed) slices" : " \(s.slicesDone)/\(s.slicesTotal) read"), nil, true))
            if s.slicesUsed > 0 { out += bars(s.ranked, width: width) } else { out.append(("no slice with fossil yet", state.theme.dim, false)) }
        } else {
            out.append(("specimen …", state.theme.dim, false))
        }
        return out
    }

    /// `name ████▌   0.62` per taxon, the top one bold in the accent colour.
    func bars(_ ranked: [TaxonIdentifier.Prediction.Ranked], width: Int) -> [(String, RGB?, Bool)] {
        let nameWidth = min(12, max(4, ranked.map(\.taxon.count).max() ?? 4))
        let barWidth = max(4, width - nameWidth - 6)
        var out: [(String, RGB?, Bool)] = ranked.prefix(Self.shown).enumerated().map { k, r in
            (String(r.taxon.prefix(nameWidth)).padding(toLength: nameWidth, withPad: " ", startingAt: 0) + " "
                + SidePanel.bar(r.probability, width: barWidth) + String(format: " %.2f", r.probability),
             k == 0 ? state.theme.accent : state.theme.dim, k == 0)
        }
        if ranked.count > Self.shown {
            let rest = ranked.dropFirst(Self.shown).reduce(0) { $0 + $1.probability }
            out.append((String(format: "%d more %.2f", ranked.count - Self.shown, rest), state.theme.dim, false))
        }
        return out
    }
}
