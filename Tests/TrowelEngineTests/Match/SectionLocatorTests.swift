import Foundation
import Testing
@testable import TrowelEngine
import TrowelML
import TrowelVolume

/// `SectionLocator` on slices of the generated sample scan that were turned, scaled, noised and
/// given another contrast: it must name the slice (±1) and the angle (±3°).
struct SectionLocatorTests {
    /// A 64³ sample project (chunks 16, pyramid down to 16), removed when released.
    final class Sample: Sendable {
        let parent: URL
        let volume: MultiscaleVolume
        let phantom: FossilPhantom
        init() throws {
            parent = FileManager.default.temporaryDirectory.appendingPathComponent("trowel-match-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
            var options = VolumeImporter.Options()
            options.chunk = 16
            options.pyramidMinimumSide = 16
            phantom = try FossilPhantom(size: 64, seed: 3)
            let project = try ProjectBuilder(importOptions: options).build(from: phantom, at: parent.appendingPathComponent("p.trowel")).0
            volume = try MultiscaleVolume.open(at: project.volumeURL)
        }
        deinit { try? FileManager.default.removeItem(at: parent) }

        /// Full-resolution slice `index` across `axis`.
        func slice(_ axis: Axis, _ index: Int) throws -> GreyPlane {
            let s = volume.shape, (rows, columns) = axis.planeAxes
            let block = try volume.read(Box.slice(axis: axis, at: index, of: s)).converted(to: Float.self)
            return GreyPlane(height: s[rows], width: s[columns], values: block.elements)
        }
    }

    /// `slice` turned `angle`°, magnified `scale`×, on a canvas that holds all of it (filled with the
    /// slice's mean), with grey values `contrast·v + brightness` plus Gaussian noise of `noise`.
    static func section(of slice: GreyPlane, angle: Double, scale: Double, contrast: Float, brightness: Float,
                        noise: Float, seed: UInt64) -> GreyPlane {
        let size = slice.canvas(angle: angle, scale: scale)
        let mean = slice.values.reduce(0, +) / Float(slice.count)
        var image = slice.section(at: SectionPose(angle: angle, scale: scale, offset: (0, 0)), height: size.height, width: size.width, fill: mean)
        var state = seed
        func uniform() -> Float {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return (Float(state >> 40) + 0.5) / Float(1 << 24)
        }
        for i in image.values.indices {
            let g = (-2 * Foundation.log(uniform())).squareRoot() * Foundation.cos(2 * .pi * uniform())
            image.values[i] = contrast * image.values[i] + brightness + noise * g
        }
        return image
    }

    static func angleError(_ a: Double, _ b: Double) -> Double {
        let d = Swift.abs((a - b).truncatingRemainder(dividingBy: 360))
        return min(d, 360 - d)
    }

    @Test(arguments: [(Axis.z, 37, 37.0, 1.15), (.y, 22, 200.0, 0.85), (.x, 45, 305.0, 1.0), (.z, 12, 123.0, 0.9)])
    func findsTheSliceAndAngle(_ axis: Axis, _ index: Int, _ angle: Double, _ scale: Double) throws {
        let sample = try Sample()
        let image = Self.section(of: try sample.slice(axis, index), angle: angle, scale: scale, contrast: 0.6, brightness: 40,
                                 noise: 6, seed: UInt64(index))
        let start = Date()
        let found = try SectionLocator(axes: Axis.allCases, top: 3).locate(image, in: sample.volume, file: "test.png")
        let best = try #require(found.first)
        print("match \(axis) \(index) \(angle)° ×\(scale): best \(best.axis) \(best.slice) \(String(format: "%.1f", best.pose.angle))° ×\(String(format: "%.3f", best.pose.scale)) ssim \(String(format: "%.3f", best.ssim)) ncc \(String(format: "%.3f", best.ncc)) dice \(String(format: "%.3f", best.dice)) in \(String(format: "%.2f", Date().timeIntervalSince(start))) s; next \(found.dropFirst().map { "\($0.axis) \($0.slice) \(String(format: "%.3f", $0.score))" })")
        #expect(best.axis == axis)
        #expect(Swift.abs(best.slice - index) <= 1)
        #expect(Self.angleError(best.pose.angle, angle) <= 3)
        #expect(Swift.abs(best.pose.scale / scale - 1) < 0.05)
        #expect(Swift.abs(best.pose.offset.dy) < 2 && Swift.abs(best.pose.offset.dx) < 2)
        #expect(best.ncc > 0.8 && best.ssim > 0.5 && best.dice > 0.7)
        if found.count > 1 { #expect(found[1].score <= best.score) }
    }

    @Test func badImagesAreRefusedWithTheFileName() throws {
        let sample = try Sample()
        let flat = GreyPlane(height: 32, width: 32, values: [Float](repeating: 7, count: 1024))
        #expect(throws: SectionLocatorError.image(file: "flat.png", reason: SectionMatchError.flat.description)) {
            try SectionLocator().locate(flat, in: sample.volume, file: "flat.png")
        }
        let tiny = GreyPlane(height: 8, width: 8, values: (0..<64).map { Float($0) })
        #expect(throws: SectionLocatorError.image(file: "tiny.png", reason: SectionMatchError.tooSmall(height: 8, width: 8).description)) {
            try SectionLocator().locate(tiny, in: sample.volume, file: "tiny.png")
        }
        #expect(throws: SectionLocatorError.badAxis("w")) { try SectionLocator.parseAxes("w") }
        #expect(try SectionLocator.parseAxes("any") == Axis.allCases)
    }
}
