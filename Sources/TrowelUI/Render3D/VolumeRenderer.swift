import Foundation
import TrowelVolume

/// Orthographic ray casting of a scan level: the labelled voxels as shaded surfaces (the first
/// labelled voxel along each ray, lit by its occupancy gradient) over a maximum-intensity
/// projection of the scan. Rays only walk the part of the scan they cross (box clipping, the
/// empty space around the scan skipped) and stop at the first surface.
public enum VolumeRenderer {
    /// What one render produced: the image and, per pixel, the voxel shown (index into the
    /// level's voxels; -1 for background), so a click can jump to it.
    public struct Result: Equatable, Sendable {
        public var image: PixelImage
        public var voxels: [Int32]
    }

    /// Renders `volume` seen through `camera` into `width` × `height` pixels; `step` is the ray step
    /// in voxels (2 for a coarse frame while keys are held, 1 for the full one); `window` maps scan
    /// values to the grey ramp as the slice view does.
    public static func render(_ volume: RenderVolume, camera: Camera3D, width: Int, height: Int, step: Double = 1,
                              window: (low: Float, high: Float), classColors: [Int: RGB], ramp: [RGB], background: RGB) -> Result {
        let s = volume.shape
        let nx = Double(s.x), ny = Double(s.y), nz = Double(s.z)
        let diagonal = (nx * nx + ny * ny + nz * nz).squareRoot()
        let scale = camera.zoom * Double(min(width, height)) / diagonal  // screen pixels per voxel
        let centre = (x: nx / 2, y: ny / 2, z: nz / 2)
        let d = camera.rotate((0, 0, 1))
        let right = camera.rotate((1, 0, 0)), down = camera.rotate((0, 1, 0))
        var image = PixelImage(width: width, height: height, fill: background)
        var voxels = [Int32](repeating: -1, count: width * height)
        let colours = (0..<256).map { classColors[$0] ?? RGB(grey: 160) }
        let sx = s.x, sy = s.y, sxy = s.x * s.y
        volume.values.withUnsafeBufferPointer { values in
            let labels = volume.labels
            labels.withOptionalBuffer { labelBuffer in
                for py in 0..<height {
                    for px in 0..<width {
                        let u = (Double(px) + 0.5 - Double(width) / 2) / scale, v = (Double(py) + 0.5 - Double(height) / 2) / scale
                        // Ray origin on the plane through the centre, then back by half the diagonal.
                        let o = (x: centre.x + u * right.x + v * down.x - d.x * diagonal / 2,
                                 y: centre.y + u * right.y + v * down.y - d.y * diagonal / 2,
                                 z: centre.z + u * right.z + v * down.z - d.z * diagonal / 2)
                        guard let (t0, t1) = clip(o, d, (nx, ny, nz)) else { continue }
                        var t = t0 + step / 2
                        var best: Float = -1, bestVoxel = -1
                        var hit = -1, hitClass: UInt8 = 0
                        while t < t1 {
                            let x = Int(o.x + t * d.x), y = Int(o.y + t * d.y), z = Int(o.z + t * d.z)
                            if x >= 0 && x < sx && y >= 0 && y < sy && z >= 0 && z < s.z {
                                let i = z * sxy + y * sx + x
                                if let lb = labelBuffer, lb[i] != 0 {
                                    hit = i
                                    hitClass = lb[i]
                                    break
                                }
                                let value = values[i]
                                if value > best {
                                    best = value
                                    bestVoxel = i
                                }
                            }
                            t += step
                        }
                        let p = py * width + px
                        if hit >= 0, let lb = labelBuffer {
                            let z = hit / sxy, y = (hit / sx) % sy, x = hit % sx
                            func occupied(_ x: Int, _ y: Int, _ z: Int) -> Double {
                                x >= 0 && x < sx && y >= 0 && y < sy && z >= 0 && z < s.z && lb[z * sxy + y * sx + x] != 0 ? 1 : 0
                            }
                            let g = (x: occupied(x + 1, y, z) - occupied(x - 1, y, z), y: occupied(x, y + 1, z) - occupied(x, y - 1, z),
                                     z: occupied(x, y, z + 1) - occupied(x, y, z - 1))
                            let length = (g.x * g.x + g.y * g.y + g.z * g.z).squareRoot()
                            // A lone voxel or a flat run has no gradient: light it as facing the viewer.
                            let facing = length > 0 ? abs(g.x * d.x + g.y * d.y + g.z * d.z) / length : 1
                            image.pixels[p] = RGB.black.blended(with: colours[Int(hitClass)], amount: 0.3 + 0.7 * facing)
                            voxels[p] = Int32(hit)
                        } else if bestVoxel >= 0 {
                            image.pixels[p] = ramp[Int(max(0, min(1, (best - window.low) / max(1e-6, window.high - window.low))) * Float(ramp.count - 1))]
                            voxels[p] = Int32(bestVoxel)
                        }
                    }
                }
            }
        }
        return Result(image: image, voxels: voxels)
    }

    /// The ray's parameter range inside the box [0, n) on every axis, nil when it misses.
    static func clip(_ o: (x: Double, y: Double, z: Double), _ d: (x: Double, y: Double, z: Double),
                     _ n: (Double, Double, Double)) -> (Double, Double)? {
        var t0 = -Double.infinity, t1 = Double.infinity
        for (origin, direction, size) in [(o.x, d.x, n.0), (o.y, d.y, n.1), (o.z, d.z, n.2)] {
            if abs(direction) < 1e-12 {
                if origin < 0 || origin >= size { return nil }
                continue
            }
            var a = (0 - origin) / direction, b = (size - origin) / direction
            if a > b { swap(&a, &b) }
            t0 = max(t0, a)
            t1 = min(t1, b)
        }
        return t0 < t1 ? (t0, t1) : nil
    }
}

extension Optional where Wrapped == [UInt8] {
    /// `withUnsafeBufferPointer` for an optional array.
    func withOptionalBuffer<R>(_ body: (UnsafeBufferPointer<UInt8>?) -> R) -> R {
        switch self {
        case .some(let array): return array.withUnsafeBufferPointer { body($0) }
        case .none: return body(nil)
        }
    }
}
