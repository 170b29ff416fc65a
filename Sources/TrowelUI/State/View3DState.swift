import TrowelVolume

/// The 3D view (`D`): the camera, the frame on screen, and the render asked for and not yet back.
public struct View3DState: Equatable, Sendable {
    public var camera = Camera3D()
    public var frame: Rendered3D?
    public var pending: View3DRequest?
    /// The last key turned or zoomed the camera: a coarse frame now, the full one on the next tick.
    public var moving = false
    /// Counts the times the view was opened: the driver reads the labels again for a new one.
    public var generation = 0
    /// What the shaded surfaces show.
    public var surface = View3DSurface.labels

    public init() {}
}

/// A render of the 3D view: the camera, the image size, the ray step (2 coarse, 1 full).
public struct View3DRequest: Equatable, Sendable {
    public var camera: Camera3D
    public var width: Int
    public var height: Int
    public var step: Double
    public var window: Contrast
    public var generation: Int
    public var surface: View3DSurface = .labels
}

/// What the 3D view shades as surfaces over the projection of the scan.
public enum View3DSurface: Equatable, Sendable {
    /// The painted labels, every class.
    case labels
    /// The model's live prediction of one class, on the level the view reads.
    case prediction(modelID: String, classID: Int)
    /// One class of a finished segmentation, from its pyramid.
    case segmentation(id: String, classID: Int)

    /// The words the status line uses for it.
    public var summary: String {
        switch self {
        case .labels: return "painted labels"
        case .prediction(let model, let c): return "class \(c) as model \(model.prefix(15)) predicts it"
        case .segmentation(let id, let c): return "class \(c) of segmentation \(id.prefix(15))"
        }
    }
}

/// A finished 3D frame: what was asked, the picture, and the full-resolution voxel each pixel shows.
public struct Rendered3D: Equatable, Sendable {
    public var request: View3DRequest
    public var image: PixelImage
    /// Per pixel, the voxel shown at full resolution, or nil for background.
    public var voxels: [Index3?]
    /// False while the surfaces are still being computed (a prediction): the frame shows the
    /// projection alone, and the same request comes back with them.
    public var surfaceShown: Bool

    public init(request: View3DRequest, image: PixelImage, voxels: [Index3?], surfaceShown: Bool = true) {
        self.request = request
        self.image = image
        self.voxels = voxels
        self.surfaceShown = surfaceShown
    }
}
