import TrowelVolume

/// One place where an image may lie in a scan: the slice (full-resolution index across `axis`),
/// the pose of the image on it, and how well they agree there (SSIM, NCC, Dice over the overlap).
public struct SectionMatch: Sendable, Equatable {
    public var axis: Axis
    public var slice: Int
    public var pose: SectionPose
    public var ssim: Double
    public var ncc: Double
    public var dice: Double

    public init(axis: Axis, slice: Int, pose: SectionPose, ssim: Double, ncc: Double, dice: Double) {
        self.axis = axis
        self.slice = slice
        self.pose = pose
        self.ssim = ssim
        self.ncc = ncc
        self.dice = dice
    }

    /// What candidates are ranked by: the mean of NCC and SSIM.
    public var score: Double { (ncc + ssim) / 2 }
}
