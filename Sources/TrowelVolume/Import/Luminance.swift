/// Grey value of a colour pixel: Rec. 709 luma weights as in skimage's `rgb2gray`
/// (0.2125 R + 0.7154 G + 0.0721 B, applied to stored values without gamma decoding),
/// rounded to the nearest integer for integer samples.
public enum Luminance {
    public static let red = 0.2125
    public static let green = 0.7154
    public static let blue = 0.0721

    /// The weighted sum of one pixel's stored red, green and blue values.
    @inline(__always)
    public static func of(red r: Double, green g: Double, blue b: Double) -> Double {
        red * r + green * g + blue * b
    }

    /// Converts `count` pixels whose red, green and blue samples are `componentStride` elements
    /// apart and whose pixels are `pixelStride` elements apart into grey values of type `D`.
    static func convert<S, D: VoxelScalar>(
        _ source: UnsafeRawPointer, as _: S.Type, count: Int, pixelStride: Int, componentStride: Int,
        into destination: UnsafeMutablePointer<D>, value: (S) -> Double
    ) {
        let s = source.assumingMemoryBound(to: S.self)
        for i in 0..<count {
            let p = s + i * pixelStride
            let grey = of(red: value(p[0]), green: value(p[componentStride]), blue: value(p[2 * componentStride]))
            destination[i] = D(clampingDouble: grey)
        }
    }
}
