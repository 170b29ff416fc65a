import Foundation
import TrowelML
import TrowelVolume

/// Otsu, multi-Otsu or a fixed value as a baseline segmentation of the whole scan, or as labels of
/// one slice for the user to correct. Thresholds equal scikit-image's (`Otsu`) on the histogram of
/// what is thresholded (the whole scan, streamed slab by slab, or the one slice).
///
/// Whole scan: written as `segmentations/<id>.zarr` with its pyramid and every block marked done,
/// exactly as a model's segmentation, plus `threshold.json` (method, thresholds, voxels per class)
/// for provenance, so `trowel mesh`, `export` and `eval` read it. Class ids: with one threshold
/// (Otsu, `--value`) voxels above it get `above` and the rest `below`; with multi-Otsu region k
/// (0 the darkest) gets id k + 1.
/// One slice: the labels fill the slice's unlabelled voxels as an accepted proposal (they train
/// models but are never used to score them) in one undoable stroke.
public struct ThresholdSegmentation: Sendable {
    public enum Method: Sendable, Equatable, CustomStringConvertible {
        case otsu
        case multiOtsu(classes: Int)
        case value(Double)

        public var description: String {
            switch self {
            case .otsu: return "otsu"
            case .multiOtsu(let k): return "multiotsu\(k)"
            case .value: return "value"
            }
        }
    }

    /// What a run did; `threshold.json` beside a whole-scan segmentation.
    public struct Result: Codable, Sendable, Equatable {
        public struct ClassEntry: Codable, Sendable, Equatable {
            public var id: Int
            public var voxels: Int
        }
        public var method: String
        public var thresholds: [Double]
        /// Segmentation id (whole scan), nil for one slice.
        public var segmentation: String?
        public var output: String?
        /// `axis:index` of the labelled slice, nil for the whole scan.
        public var slice: String?
        /// Voxels of the slice newly labelled (the user's own labels are kept).
        public var labelled: Int?
        public var classes: [ClassEntry]
        public var voxels: Int
        public var seconds: Double
    }

    public static let provenanceName = "threshold.json"

    public let project: Project
    public let method: Method
    public var above: UInt8
    public var below: UInt8

    public init(project: Project, method: Method, above: UInt8 = 1, below: UInt8 = 2) {
        self.project = project
        self.method = method
        self.above = above
        self.below = below
    }

    /// `axis:index`, e.g. `z:40`.
    public static func parseSlice(_ text: String, shape: Shape) throws -> (Axis, Int) {
        let parts = text.split(separator: ":")
        guard parts.count == 2, let index = Int(parts[1]),
              let axis = ["z": Axis.z, "y": .y, "x": .x][parts[0].lowercased()] else {
            throw ThresholdSegmentationError.badSlice(text)
        }
        guard (0..<shape[axis]).contains(index) else { throw ThresholdSegmentationError.sliceOutside(text, depth: shape[axis]) }
        return (axis, index)
    }

    /// The thresholds of `histogram` for this method.
    public func thresholds(of histogram: IntensityHistogram) throws -> [Double] {
        do {
            switch method {
            case .otsu: return [try Otsu.threshold(histogram)]
            case .multiOtsu(let k): return try Otsu.thresholds(histogram, classes: k)
            case .value(let v): return [v]
            }
        } catch {
            throw ThresholdSegmentationError.threshold("\(error)")
        }
    }

    /// The class id of a value.
    func label(_ v: Double, thresholds: [Double]) -> UInt8 {
        let r = Otsu.region(of: v, thresholds: thresholds)
        if thresholds.count == 1 { return r == 1 ? above : below }
        return UInt8(r + 1)
    }

    /// The scan's histogram, scikit-image's binning for its dtype, streamed in slabs of `depth` slices.
    public static func histogram(of volume: MultiscaleVolume, depth: Int = 16) throws -> IntensityHistogram {
        let shape = volume.shape
        var lo = Double.infinity, hi = -Double.infinity
        var z = 0
        while z < shape.z {
            let values = try volume.read(Box(z: z..<min(shape.z, z + depth), y: 0..<shape.y, x: 0..<shape.x)).converted(to: Double.self).elements
            for v in values where v.isFinite { lo = min(lo, v); hi = max(hi, v) }
            z += depth
        }
        guard lo <= hi else { throw ThresholdSegmentationError.threshold("volume.zarr: no finite values to threshold") }
        var h = IntensityHistogram(lower: lo, upper: hi, integral: volume.dtype.integerRange != nil, singlePrecision: volume.dtype == .f32)
        z = 0
        while z < shape.z {
            h.add(try volume.read(Box(z: z..<min(shape.z, z + depth), y: 0..<shape.y, x: 0..<shape.x)).converted(to: Double.self).elements)
            z += depth
        }
        return h
    }

    /// Segments the whole scan into `segmentations/<id>.zarr` (id nil: `<method>-<UTC time>`).
    public func segmentVolume(id: String? = nil) throws -> Result {
        let start = Date()
        let volume = try MultiscaleVolume.open(at: project.volumeURL)
        let shape = volume.shape
        let newID = try id.map(Self.checkedID) ?? uniqueID()
        let store = SegmentationStore(projectURL: project.url, id: newID)
        guard !FileManager.default.fileExists(atPath: store.url.path) else { throw ThresholdSegmentationError.exists(store.url.path) }
        let ts = try thresholds(of: Self.histogram(of: volume))

        let layout = try BlockGrid(shape: shape, side: 128)
        let (output, _) = try store.prepare(grid: layout, probabilities: false, classes: [], voxelSize: volume.voxelSize)
        var counts = [Int](repeating: 0, count: 256)
        let depth = layout.chunkShape.z
        var z = 0
        while z < shape.z {
            let box = Box(z: z..<min(shape.z, z + depth), y: 0..<shape.y, x: 0..<shape.x)
            let values = try volume.read(box).converted(to: Double.self).elements
            var labels = [UInt8](repeating: 0, count: values.count)
            for i in values.indices {
                let l = label(values[i], thresholds: ts)
                labels[i] = l
                counts[Int(l)] += 1
            }
            do { try output.write(Block(shape: box.shape, elements: labels), at: box.lower) } catch {
                throw SegmentationError.unwritable(store.levelZeroURL.path, "\(error)")
            }
            z = box.upper.z
        }
        for block in 0..<layout.count { try store.markDone(block) }
        try store.buildPyramid(levelShapes: volume.levels.map(\.shape), chunks: layout.chunkShape, voxelSize: volume.voxelSize,
                               workers: ProcessInfo.processInfo.activeProcessorCount)
        let result = Result(method: method.description, thresholds: ts, segmentation: newID, output: store.url.path, slice: nil,
                            labelled: nil, classes: Self.entries(counts), voxels: shape.voxelCount,
                            seconds: Date().timeIntervalSince(start))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do {
            try encoder.encode(result).write(to: store.url.appendingPathComponent(Self.provenanceName), options: .atomic)
        } catch {
            throw SegmentationError.unwritable(store.url.path, "\(error)")
        }
        return result
    }

    /// One slice thresholded from its own histogram: the class of every voxel, the thresholds and
    /// the voxels per class id. Writes nothing (the viewer's `O` and `labelSlice` store it).
    public func sliceLabels(axis: Axis, index: Int, in volume: MultiscaleVolume) throws
        -> (labels: Block<UInt8>, box: Box, thresholds: [Double], counts: [Int]) {
        let classIDs = Set(try project.classes().map(\.id))
        let needed: [Int]
        if case .multiOtsu(let k) = method { needed = Array(1...k) } else { needed = [Int(above), Int(below)] }
        if !needed.allSatisfy(classIDs.contains) {
            throw ThresholdSegmentationError.missingClasses(needed: needed.count, have: classIDs.sorted().map(String.init).joined(separator: ", "))
        }
        let values = try volume.slice(axis: axis, at: index).converted(to: Double.self).elements
        let h = IntensityHistogram(values.filter(\.isFinite), integral: volume.dtype.integerRange != nil,
                                   singlePrecision: volume.dtype == .f32)
        let ts = try thresholds(of: h)
        var counts = [Int](repeating: 0, count: 256)
        let labels = values.map { v -> UInt8 in
            let l = label(v, thresholds: ts)
            counts[Int(l)] += 1
            return l
        }
        let box = Box.slice(axis: axis, at: index, of: volume.shape)
        return (Block(shape: box.shape, elements: labels), box, ts, counts)
    }

    /// Labels the unlabelled voxels of one slice from its own threshold(s).
    public func labelSlice(axis: Axis, index: Int, author: String = "threshold") throws -> Result {
        let start = Date()
        let volume = try MultiscaleVolume.open(at: project.volumeURL)
        let slice = try sliceLabels(axis: axis, index: index, in: volume)
        try project.requireWritable(for: "pre-filling labels")
        let store = try LabelStore(project: project, shape: volume.shape, author: author, writable: true)
        let labelled = try store.acceptProposal(slice.labels, at: slice.box, modelID: method.description)
        try store.endStroke()
        return Result(method: method.description, thresholds: slice.thresholds, segmentation: nil, output: nil,
                      slice: "\(axis):\(index)", labelled: labelled, classes: Self.entries(slice.counts),
                      voxels: slice.labels.elements.count, seconds: Date().timeIntervalSince(start))
    }

    static func entries(_ counts: [Int]) -> [Result.ClassEntry] {
        counts.indices.filter { counts[$0] > 0 }.map { Result.ClassEntry(id: $0, voxels: counts[$0]) }
    }

    static func checkedID(_ id: String) throws -> String {
        guard !id.isEmpty, !id.contains("/") else { throw ThresholdSegmentationError.badID(id) }
        return id
    }

    private func uniqueID() -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        let base = "\(method)-\(formatter.string(from: Date()))"
        var candidate = base, n = 2
        while FileManager.default.fileExists(atPath: SegmentationStore(projectURL: project.url, id: candidate).url.path) {
            candidate = "\(base)-\(n)"
            n += 1
        }
        return candidate
    }
}
