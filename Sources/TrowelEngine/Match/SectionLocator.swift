import Foundation
import TrowelML
import TrowelVolume

/// Where does a 2D image (a thin section, a slice exported from another scan of the specimen) lie
/// in a project's scan: reads the image (grey PNG or TIFF), runs `SectionMatcher` on the project's
/// pyramid across the chosen axes, and reports the ranked places as `trowel match` prints them.
public struct SectionLocator: Sendable {
    /// One ranked place, as `--json` writes it: the slice across `axis`, the image's angle
    /// (degrees, counter-clockwise, relative to the slice), scale (image pixels per voxel), the
    /// image centre's offset [dy, dx] from the slice centre in voxels, and the scores there.
    public struct Candidate: Codable, Sendable, Equatable {
        public var axis: String
        public var slice: Int
        public var angle: Double
        public var scale: Double
        public var offset: [Double]
        public var ssim: Double
        public var ncc: Double
        public var dice: Double

        init(_ m: SectionMatch) {
            axis = m.axis.description
            slice = m.slice
            angle = (m.pose.angle * 10).rounded() / 10
            scale = (m.pose.scale * 1000).rounded() / 1000
            offset = [(m.pose.offset.dy * 10).rounded() / 10, (m.pose.offset.dx * 10).rounded() / 10]
            ssim = (m.ssim * 10000).rounded() / 10000
            ncc = (m.ncc * 10000).rounded() / 10000
            dice = (m.dice * 10000).rounded() / 10000
        }

        /// The pose as the matcher defines it.
        public var pose: SectionPose { SectionPose(angle: angle, scale: scale, offset: (offset[0], offset[1])) }
        public var sliceAxis: Axis { ["z": Axis.z, "y": .y, "x": .x][axis] ?? .z }
    }

    /// What a run found.
    public struct Result: Codable, Sendable, Equatable {
        public var candidates: [Candidate]
        public var image: String
        /// [height, width] of the image in pixels.
        public var imageSize: [Int]
        public var axes: [String]
        public var seconds: Double
        enum CodingKeys: String, CodingKey { case candidates, image, imageSize = "image_size", axes, seconds }
    }

    public var axes: [Axis]
    public var top: Int

    public init(axes: [Axis] = Axis.allCases, top: Int = 5) {
        self.axes = axes
        self.top = top
    }

    /// `x`, `y`, `z` or `any` (all three).
    public static func parseAxes(_ text: String) throws -> [Axis] {
        switch text.lowercased() {
        case "any", "all": return Axis.allCases
        case "z": return [.z]
        case "y": return [.y]
        case "x": return [.x]
        default: throw SectionLocatorError.badAxis(text)
        }
    }

    /// The image at `url` as a grey plane; throws one line naming the file when it is not one 2D
    /// grey image with at least two grey values.
    public static func readImage(_ url: URL) throws -> GreyPlane {
        let block = try GreyImageFile.read(url).converted(to: Float.self)
        guard block.elements.allSatisfy({ $0.isFinite }) else {
            throw SectionLocatorError.image(file: url.path, reason: "NaN or infinite values; nothing to match them against")
        }
        let plane = GreyPlane(height: block.shape.y, width: block.shape.x, values: block.elements)
        let range = plane.range
        guard range.upperBound > range.lowerBound else {
            throw SectionLocatorError.image(file: url.path, reason: SectionMatchError.flat.description)
        }
        return plane
    }

    /// The best places for the image at `image` in `volume`, best first.
    public func locate(image url: URL, in volume: MultiscaleVolume) throws -> Result {
        let start = Date()
        let plane = try Self.readImage(url)
        let matches = try locate(plane, in: volume, file: url.path)
        return Result(candidates: matches.map(Candidate.init), image: url.path, imageSize: [plane.height, plane.width],
                      axes: axes.map(\.description), seconds: Date().timeIntervalSince(start))
    }

    /// The best places for `plane` in `volume`; errors about the image name `file`.
    public func locate(_ plane: GreyPlane, in volume: MultiscaleVolume, file: String) throws -> [SectionMatch] {
        var options = SectionMatcher.Options()
        options.axes = axes
        options.top = top
        do {
            return try SectionMatcher(options: options).match(plane, in: PyramidSectionSource(volume: volume))
        } catch let e as SectionMatchError {
            throw SectionLocatorError.image(file: file, reason: e.description)
        }
    }
}
