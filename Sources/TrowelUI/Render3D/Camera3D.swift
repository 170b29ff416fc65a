import Foundation

/// Where the 3D view looks from: turned `yaw` about the screen's vertical axis and `pitch` about its
/// horizontal one (radians), magnified `zoom` times the size at which the whole scan fits.
public struct Camera3D: Equatable, Sendable {
    public var yaw: Double
    public var pitch: Double
    public var zoom: Double

    public init(yaw: Double = 0.6, pitch: Double = -0.45, zoom: Double = 1) {
        self.yaw = yaw
        self.pitch = pitch
        self.zoom = zoom
    }

    /// The view-space vector `v` (x right, y down, z into the screen) in scan coordinates (x, y, z).
    func rotate(_ v: (x: Double, y: Double, z: Double)) -> (x: Double, y: Double, z: Double) {
        // Pitch about the screen's x axis, then yaw about the scan's vertical (y) axis.
        let cp = cos(pitch), sp = sin(pitch), cy = cos(yaw), sy = sin(yaw)
        let y1 = v.y * cp - v.z * sp, z1 = v.y * sp + v.z * cp
        return (v.x * cy + z1 * sy, y1, -v.x * sy + z1 * cy)
    }
}
