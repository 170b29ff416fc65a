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
}

/// A finished 3D frame: what was asked, the picture, and the full-resolution voxel each pixel shows.
public struct Rendered3D: Equatable, Sendable {
    public var request: View3DRequest
    public var image: PixelImage
    /// Per pixel, the voxel shown at full resolution, or nil for background.
    public var voxels: [Index3?]

    public init(request: View3DRequest, image: PixelImage, voxels: [Index3?]) {
        self.request = request
        self.image = image
        self.voxels = voxels
    }
}
