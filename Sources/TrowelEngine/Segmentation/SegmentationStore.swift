import Foundation
import TrowelVolume

/// Where a segmentation lives in a project and how its progress is recorded:
///
/// - `segmentations/<model-id>.zarr/` — OME-Zarr group; `0/` holds uint8 class ids (0 = not yet
///   segmented), `1/`, `2/`, … the majority-vote pyramid (same level shapes as the scan's pyramid)
///   once every block is done.
/// - `segmentations/<model-id>.zarr/.done/<block>` — an empty marker per finished block, written
///   after the block's chunks are renamed into place; `.done/pyramid` once the pyramid is built.
///   Files, not database rows, so shard processes on a shared filesystem need no locking.
/// - `segmentations/<model-id>-probabilities.zarr/class-<id>/` — optional, one uint8 array per
///   class: probability × 255, rounded (level 0 only).
public struct SegmentationStore: Sendable {
    public static let folderName = "segmentations"
    /// The attribute on level 0 recording the settings a run must keep when it resumes.
    static let settingsKey = "trowel_segmentation"

    public let projectURL: URL
    /// The model id, which is also the segmentation's name.
    public let id: String

    public init(projectURL: URL, id: String) {
        self.projectURL = projectURL
        self.id = id
    }

    public var folder: URL { projectURL.appendingPathComponent(Self.folderName) }
    /// The OME-Zarr group of the labels.
    public var url: URL { folder.appendingPathComponent("\(id).zarr") }
    public var levelZeroURL: URL { url.appendingPathComponent("0") }
    public var probabilitiesURL: URL { folder.appendingPathComponent("\(id)-probabilities.zarr") }
    public func probabilityURL(classID: UInt8) -> URL { probabilitiesURL.appendingPathComponent("class-\(classID)") }
    var doneFolder: URL { url.appendingPathComponent(".done") }
    /// The lock file of `BlockClaims`: which blocks a run is computing now.
    var claimsURL: URL { url.appendingPathComponent(".claims") }
    var pyramidMarker: URL { doneFolder.appendingPathComponent("pyramid") }

    /// True once block `i`'s voxels are all on disk.
    public func isDone(_ i: Int) -> Bool {
        FileManager.default.fileExists(atPath: doneFolder.appendingPathComponent(String(i)).path)
    }

    /// Records block `i` as finished (atomically; call after its chunks are written).
    func markDone(_ i: Int) throws(SegmentationError) {
        try touch(doneFolder.appendingPathComponent(String(i)))
    }

    /// How many of blocks `0..<total` are finished.
    public func doneCount(of total: Int) -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: doneFolder.path)) ?? []
        return names.reduce(0) { n, name in Int(name).map { $0 >= 0 && $0 < total ? n + 1 : n } ?? n }
    }

    /// True when every block and the pyramid are done.
    public var isComplete: Bool { FileManager.default.fileExists(atPath: pyramidMarker.path) }

    /// When the pyramid was finished (nil while the segmentation is not complete): which one is newest.
    public var completedAt: Date? {
        (try? FileManager.default.attributesOfItem(atPath: pyramidMarker.path))?[.modificationDate] as? Date
    }

    /// The segmentation ids present in a project (folders `segmentations/<id>.zarr`), sorted.
    public static func ids(in projectURL: URL) -> [String] {
        let folder = projectURL.appendingPathComponent(folderName)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".zarr") && !$0.hasSuffix("-probabilities.zarr") }
            .map { String($0.dropLast(5)) }.sorted()
    }

    /// The settings a resumed run must match: the volume shape, the block side and whether
    /// probabilities are written.
    struct Settings: Equatable {
        var shape: Shape
        var blockSide: Int
        var probabilities: Bool

        var json: JSONValue {
            ["shape": .array(shape.array.map { .number(Double($0)) }), "block": .number(Double(blockSide)),
             "probabilities": .bool(probabilities)]
        }

        init(shape: Shape, blockSide: Int, probabilities: Bool) {
            self.shape = shape
            self.blockSide = blockSide
            self.probabilities = probabilities
        }

        init?(_ json: JSONValue?) {
            guard let json, let s = json["shape"]?.arrayValue?.compactMap(\.doubleValue), let shape = Shape(s.map { Int($0) }),
                  let b = json["block"]?.doubleValue, case .bool(let p)? = json["probabilities"] else { return nil }
            self.init(shape: shape, blockSide: Int(b), probabilities: p)
        }
    }

    /// Creates the arrays of a new segmentation, or opens those of an interrupted one after checking
    /// it was started with the same settings. Safe when several shard processes do this at once.
    /// With `removingAbandonedFiles` (one shard of a job does it, so a cluster's tasks do not all
    /// walk the store), the temporary chunk files of a run killed mid-write are removed.
    func prepare(grid: BlockGrid, probabilities: Bool, classes: [(id: UInt8, name: String)],
                 voxelSize: VoxelSize, removingAbandonedFiles: Bool = false) throws(SegmentationError) -> (labels: ZarrArray, probabilities: [ZarrArray]) {
        defer {
            if removingAbandonedFiles { AbandonedFiles.removeTemporaryFiles(under: url) }
        }
        let settings = Settings(shape: grid.shape, blockSide: grid.side, probabilities: probabilities)
        do {
            try FileManager.default.createDirectory(at: doneFolder, withIntermediateDirectories: true)
        } catch {
            throw .unwritable(url.path, error.localizedDescription)
        }
        let labels = try array(at: levelZeroURL, grid: grid, attributes: [Self.settingsKey: settings.json])
        let found = try waitForSettings(labels)
        guard found == settings else {
            var reasons: [String] = []
            if found?.shape != settings.shape { reasons.append("shape \(found.map { "\($0.shape)" } ?? "unknown")") }
            if found?.blockSide != settings.blockSide { reasons.append("--block \(found.map { String($0.blockSide) } ?? "unknown")") }
            if found?.probabilities != settings.probabilities {
                reasons.append(found?.probabilities == true ? "with --probabilities" : "without --probabilities")
            }
            throw .mismatch(url.path, reasons.joined(separator: ", "))
        }
        if !FileManager.default.fileExists(atPath: url.appendingPathComponent(".zattrs").path) {
            do {
                try OMEMultiscales(name: id, voxelSize: voxelSize.array, levels: 1, type: "majority").write(to: url)
            } catch {
                throw .unwritable(url.path, "\(error)")
            }
        }
        var probabilityArrays: [ZarrArray] = []
        if probabilities {
            do {
                try FileManager.default.createDirectory(at: probabilitiesURL, withIntermediateDirectories: true)
                try Data("{\"zarr_format\": 2}".utf8).write(to: probabilitiesURL.appendingPathComponent(".zgroup"), options: .atomic)
            } catch {
                throw .unwritable(probabilitiesURL.path, error.localizedDescription)
            }
            for c in classes {
                probabilityArrays.append(try array(at: probabilityURL(classID: c.id), grid: grid, attributes: [
                    "class_id": .number(Double(c.id)), "class_name": .string(c.name),
                    "encoding": "round(probability * 255)",
                ]))
            }
        }
        return (labels, probabilityArrays)
    }

    /// Opens the uint8 array at `url`, creating it (chunks inside blocks) if it does not exist yet.
    private func array(at url: URL, grid: BlockGrid, attributes: [String: JSONValue]) throws(SegmentationError) -> ZarrArray {
        if let existing = try? ZarrArray.open(at: url) { return existing }
        do {
            return try ZarrArray.create(at: url, shape: grid.shape, chunks: grid.chunkShape, dtype: .u8,
                                        compressor: .zstd(level: 3), attributes: attributes)
        } catch .alreadyExists {
            // Another shard created it first.
            do { return try ZarrArray.open(at: url) } catch { throw .unwritable(url.path, "\(error)") }
        } catch {
            throw .unwritable(url.path, "\(error)")
        }
    }

    /// The recorded settings; another shard may have created the array an instant ago and not yet
    /// written its attributes, so wait briefly for them.
    private func waitForSettings(_ array: ZarrArray) throws(SegmentationError) -> Settings? {
        for _ in 0..<50 {
            if let s = Settings((try? array.readAttributes())?[Self.settingsKey]) { return s }
            usleep(20_000)
        }
        return nil
    }

    /// Builds pyramid levels 1… with the shapes in `levelShapes` (level 0 first) by majority vote,
    /// then lists them in the OME metadata and writes `.done/pyramid`. Idempotent: concurrent or
    /// repeated builds write identical chunks.
    func buildPyramid(levelShapes: [Shape], chunks: Shape, voxelSize: VoxelSize, workers: Int) throws(SegmentationError) {
        var previous: ZarrArray
        do { previous = try ZarrArray.open(at: levelZeroURL) } catch { throw .unwritable(levelZeroURL.path, "\(error)") }
        for level in levelShapes.indices.dropFirst() {
            let shape = levelShapes[level]
            let url = url.appendingPathComponent(String(level))
            let c = Shape(z: min(chunks.z, shape.z), y: min(chunks.y, shape.y), x: min(chunks.x, shape.x))
            let array: ZarrArray
            do {
                array = try (try? ZarrArray.open(at: url)) ?? ZarrArray.create(at: url, shape: shape, chunks: c, dtype: .u8)
            } catch {
                throw .unwritable(url.path, "\(error)")
            }
            // Output tiles of whole chunks, at least 64 voxels a side; each reads twice its size below.
            let tileGrid = try BlockGrid(shape: shape, side: c.largestSide * max(1, 64 / max(1, c.largestSide)))
            let source = previous
            let failure = SegmentationTally<String?>(nil)
            DispatchQueue.concurrentPerform(iterations: max(1, min(workers, tileGrid.count))) { worker in
                var t = worker
                while t < tileGrid.count, failure.withLock({ $0 == nil }) {
                    let out = tileGrid.box(t)
                    let input = Box(lower: out.lower + out.lower, upper: out.upper + out.upper).intersection(source.shape.box)
                    do {
                        let block = try source.read(input, as: UInt8.self)
                        try array.write(LabelDownsampler.halve(block), at: out.lower)
                    } catch {
                        failure.withLock { $0 = "\(error)" }
                    }
                    t += max(1, min(workers, tileGrid.count))
                }
            }
            if let message = failure.withLock({ $0 }) { throw .unwritable(url.path, message) }
            previous = array
        }
        do {
            try OMEMultiscales(name: id, voxelSize: voxelSize.array, levels: levelShapes.count, type: "majority").write(to: url)
        } catch {
            throw .unwritable(url.path, "\(error)")
        }
        try touch(pyramidMarker)
    }

    private func touch(_ file: URL) throws(SegmentationError) {
        do { try Data().write(to: file, options: .atomic) } catch {
            throw .unwritable(file.path, error.localizedDescription)
        }
    }
}
