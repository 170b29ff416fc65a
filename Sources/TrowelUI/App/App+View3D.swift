import TrowelVolume

extension App {
    /// Largest side of a 3D frame in pixels; pixel terminals get it scaled up to the pane.
    static let view3DMaximumSide = 360
    /// Camera turn per key press (radians) and zoom factor per `+`/`-`.
    static let view3DTurn = 0.15
    static let view3DZoomStep = 1.25

    /// `D`: opens the 3D view over the main pane, or closes it.
    static func toggle3D(_ state: inout AppState) -> [Effect] {
        if state.view3D != nil {
            state.view3D = nil
            say(&state, "slice view")
        } else {
            var view = View3DState()
            view.generation = state.view3DOpenings + 1
            state.view3DOpenings += 1
            // A finished segmentation under review first, else the model's prediction, else the labels.
            view.surface = surfaces3D(state).first ?? .labels
            state.view3D = view
            say(&state, "3D view of the \(view.surface.summary): arrows turn, + - zoom, s surfaces, Enter jumps to the voxel in the middle, D returns")
        }
        return []
    }

    /// Keys while the 3D view is open; nil lets the key do what it does in the slice view.
    static func handle3D(_ key: Key, _ state: inout AppState) -> [Effect]? {
        guard var view = state.view3D else { return nil }
        var camera = view.camera
        switch key {
        case .left, .character("h"): camera.yaw -= view3DTurn
        case .right, .character("l"): camera.yaw += view3DTurn
        case .up, .character("k"): camera.pitch -= view3DTurn
        case .down, .character("j"): camera.pitch += view3DTurn
        case .character("+"), .character("="): camera.zoom = min(8, camera.zoom * view3DZoomStep)
        case .character("-"): camera.zoom = max(0.25, camera.zoom / view3DZoomStep)
        case .character("s"):
            let choices = surfaces3D(state) + [.labels]
            let next = choices[((choices.firstIndex(of: view.surface) ?? -1) + 1) % choices.count]
            view.surface = next
            state.view3D = view
            say(&state, "3D view of the \(next.summary)")
            return []
        case .enter:
            let size = view3DSize(state)
            return jump3D(x: size.width / 2, y: size.height / 2, &state)
        case .escape:
            return toggle3D(&state)
        default:
            return nil
        }
        view.camera = camera
        view.moving = true
        state.view3D = view
        return []
    }

    /// What the 3D view can shade besides the painted labels, best first: the segmentation under
    /// review and the current model's prediction, each of the class in use.
    static func surfaces3D(_ state: AppState) -> [View3DSurface] {
        var out: [View3DSurface] = []
        if let id = state.reviewedSegmentation { out.append(.segmentation(id: id, classID: state.activeClass)) }
        if let model = state.currentModel { out.append(.prediction(modelID: model, classID: state.activeClass)) }
        return out
    }

    /// The surface a request asks for now: the chosen kind, following the class in use and the
    /// current model (a new model or class key re-renders).
    static func surface3D(_ view: View3DState, _ state: AppState) -> View3DSurface {
        switch view.surface {
        case .labels: return .labels
        case .prediction:
            return state.currentModel.map { .prediction(modelID: $0, classID: state.activeClass) } ?? .labels
        case .segmentation(let id, _):
            return .segmentation(id: state.reviewedSegmentation ?? id, classID: state.activeClass)
        }
    }

    /// A frame from the renderer: shown if it answers the request waiting, or if it is the one on
    /// screen again with its surfaces (a prediction finished after the projection was drawn).
    static func received3D(_ frame: Rendered3D, _ state: inout AppState) {
        guard var view = state.view3D else { return }
        if view.pending == frame.request {
            view.pending = nil
            view.frame = frame
        } else if let shown = view.frame, shown.request == frame.request, !shown.surfaceShown, frame.surfaceShown {
            view.frame = frame
        } else {
            return
        }
        state.view3D = view
    }

    /// Leaves the 3D view with the slice view on the voxel shown at frame pixel (`x`, `y`).
    static func jump3D(x: Int, y: Int, _ state: inout AppState) -> [Effect] {
        guard let frame = state.view3D?.frame, x >= 0, y >= 0, x < frame.image.width, y < frame.image.height,
              let voxel = frame.voxels[y * frame.image.width + x] else {
            say(&state, "nothing of the scan there")
            return []
        }
        state.view3D = nil
        state.viewport.placeCursor(at: voxel)
        state.viewport.centreOnCursor()
        say(&state, "jumped to z \(voxel.z) y \(voxel.y) x \(voxel.x)")
        return []
    }

    /// The size of a 3D frame: the main pane's pixels, at most `view3DMaximumSide` across.
    static func view3DSize(_ state: AppState) -> (width: Int, height: Int) {
        let pane = state.viewport.size
        let f = min(1, Double(view3DMaximumSide) / Double(max(pane.width, pane.height)))
        return (max(1, Int(Double(pane.width) * f)), max(1, Int(Double(pane.height) * f)))
    }

    /// The render the 3D view needs now, if it is neither on screen nor asked for.
    static func render3DIfNeeded(_ state: inout AppState) -> [Effect] {
        guard var view = state.view3D else { return [] }
        let size = view3DSize(state)
        let wanted = View3DRequest(camera: view.camera, width: size.width, height: size.height, step: view.moving ? 2 : 1,
                                   window: state.contrast, generation: view.generation, surface: surface3D(view, state))
        guard view.frame?.request != wanted, view.pending != wanted else { return [] }
        view.pending = wanted
        state.view3D = view
        return [.render3D(wanted)]
    }

    /// The 3D frame at the main pane's pixel size (nearest-neighbour scaled), if one is shown.
    static func view3DPixels(_ state: AppState, size: (width: Int, height: Int)) -> PixelImage? {
        guard let frame = state.view3D?.frame else { return nil }
        return scaled3D(frame.image, width: size.width, height: size.height, background: state.theme.background)
    }

    /// `source` scaled to `width` × `height` pixels, nearest neighbour.
    static func scaled3D(_ source: PixelImage, width: Int, height: Int, background: RGB) -> PixelImage {
        var image = PixelImage(width: width, height: height, fill: background)
        let columnOf = (0..<width).map { min(source.width - 1, $0 * source.width / max(1, width)) }
        for y in 0..<height {
            let sy = min(source.height - 1, y * source.height / max(1, height))
            for x in 0..<width {
                image[x, y] = source[columnOf[x], sy]
            }
        }
        return image
    }
}
