import Foundation
import Testing
import TrowelUI
import TrowelVolume
@testable import TrowelTerminal

/// What the image layer sends kitty: whole frames when much changed, an edit of the changed
/// rectangle (`a=f`) when little did — and the edit, applied to the frame on screen, gives the new one.
@Suite struct ImageLayerTests {
    static func pane(cursorAt cx: Int) -> PaneImage {
        var img = PixelImage(width: 200, height: 120)
        var seed: UInt32 = 9
        for i in img.pixels.indices {
            seed = seed &* 1_664_525 &+ 1_013_904_223
            img.pixels[i] = RGB(grey: UInt8(40 + Int(seed >> 26)))
        }
        for d in -6...6 { img[cx + d, 60] = RGB(255, 80, 200); img[cx, 60 + d] = RGB(255, 80, 200) }
        return PaneImage(pane: 0, column: 2, row: 1, columns: 20, rows: 6, image: img)
    }

    /// The escapes in `bytes`: their keys and the base64-decoded payload of all their chunks.
    static func transmissions(_ bytes: [UInt8]) -> [(keys: [String: String], data: [UInt8])] {
        let text = String(decoding: bytes, as: UTF8.self)
        var out: [(keys: [String: String], data: [UInt8])] = []
        var base64 = ""
        var first: [String: String] = [:]
        for part in text.components(separatedBy: "\u{1B}_G").dropFirst() {
            let body = part.components(separatedBy: "\u{1B}\\")[0]
            let pieces = body.split(separator: ";", maxSplits: 1).map(String.init)
            var keys: [String: String] = [:]
            for kv in pieces[0].split(separator: ",") {
                let p = kv.split(separator: "=", maxSplits: 1)
                if p.count == 2 { keys[String(p[0])] = String(p[1]) }
            }
            if keys["a"] != nil { first = keys; base64 = "" }
            if pieces.count > 1 { base64 += pieces[1] }
            if keys["m"] == "0" {
                out.append((first, Array(Data(base64Encoded: base64) ?? Data())))
            }
        }
        return out
    }

    /// sixel: a moved cursor is drawn as an image of just the changed cells (whole cell rows and
    /// columns), written at the first of them; a wholly different frame is sent whole.
    @Test func sixelSendsTheChangedCellsAsAnImageAtTheirFirstCell() throws {
        let layer = ImageLayer(setup: GraphicsSetup(graphics: .sixel, cellSize: (10, 20)))
        var first: [UInt8] = [], second: [UInt8] = [], third: [UInt8] = []
        let a = Self.pane(cursorAt: 80), b = Self.pane(cursorAt: 83)
        layer.draw([a], touched: []) { first += $0 }
        layer.draw([b], touched: []) { second += $0 }
        let text = String(decoding: second, as: UTF8.self)
        // The cross moved from columns 74…86 to 77…89 at rows 54…66: cells 7…8 across and 2…3
        // down of the pane at column 2, row 1 (1-based: row 4, column 10), 20×40 pixels.
        #expect(text.hasPrefix("\u{1B}7\u{1B}[4;10H\u{1B}[?80l\u{1B}P9;1;0q\"1;1;20;40"), "\(text.prefix(40).debugDescription)")
        #expect(text.hasSuffix("\u{1B}\\\u{1B}8"))
        #expect(second.count * 20 < first.count, "\(second.count) bytes for the change, \(first.count) for the frame")
        // A frame that differs everywhere goes whole, at the pane's corner.
        var c = Self.pane(cursorAt: 83)
        for i in c.image.pixels.indices { c.image.pixels[i].g ^= 1 }
        layer.draw([c], touched: []) { third += $0 }
        #expect(String(decoding: third, as: UTF8.self).hasPrefix("\u{1B}7\u{1B}[2;3H\u{1B}[?80l\u{1B}P9;1;0q\"1;1;200;120"))
    }

    @Test func aMovedCursorIsSentAsAnEditOfItsRectangleThatReproducesTheNewFrame() throws {
        let layer = ImageLayer(setup: GraphicsSetup(graphics: .kitty, cellSize: (10, 20)))
        var first: [UInt8] = [], second: [UInt8] = []
        let a = Self.pane(cursorAt: 80), b = Self.pane(cursorAt: 83)
        layer.draw([a], touched: []) { first += $0 }
        layer.draw([b], touched: []) { second += $0 }
        let sent = Self.transmissions(first), edit = Self.transmissions(second)
        #expect(sent.count == 1 && sent[0].keys["a"] == "T")
        #expect(edit.count == 1 && edit[0].keys["a"] == "f" && edit[0].keys["r"] == "1" && edit[0].keys["X"] == "1")
        #expect(edit[0].keys["i"] == sent[0].keys["i"], "the edit goes to the image on screen")
        #expect(second.count * 10 < first.count, "\(second.count) bytes for the edit, \(first.count) for the frame")
        // Applying the patch where it says gives exactly the new frame.
        let patch = try PNGImageCodec.decodeRGB(edit[0].data)
        let x0 = Int(edit[0].keys["x"]!)!, y0 = Int(edit[0].keys["y"]!)!
        var shown = a.image
        for y in 0..<patch.height {
            for x in 0..<patch.width {
                let i = 3 * (y * patch.width + x)
                shown[x0 + x, y0 + y] = RGB(patch.rgb[i], patch.rgb[i + 1], patch.rgb[i + 2])
            }
        }
        #expect(shown == b.image)
        // Nothing changed: nothing sent.
        var third: [UInt8] = []
        layer.draw([b], touched: []) { third += $0 }
        #expect(third.isEmpty)
    }

    @Test func aNewSliceIsAWholeFrameUnderTheOtherImageID() {
        let layer = ImageLayer(setup: GraphicsSetup(graphics: .kitty, cellSize: (10, 20)))
        var first: [UInt8] = [], second: [UInt8] = []
        let a = Self.pane(cursorAt: 80)
        var b = a
        for i in b.image.pixels.indices { b.image.pixels[i].r = b.image.pixels[i].r &+ 1 }
        layer.draw([a], touched: []) { first += $0 }
        layer.draw([b], touched: []) { second += $0 }
        let sent = Self.transmissions(first), next = Self.transmissions(second)
        #expect(next.count == 1 && next[0].keys["a"] == "T" && next[0].keys["i"] != sent[0].keys["i"])
        // The old image is deleted after the new one is placed.
        #expect(String(decoding: second, as: UTF8.self).contains("a=d,d=I,i=\(sent[0].keys["i"]!)"))
    }
}
