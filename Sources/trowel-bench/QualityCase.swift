import Foundation
import TrowelEngine
import TrowelML
import TrowelVolume

/// One quality case on disk: `meta.json`, `scan.raw` (little-endian, z-y-x, `dtype`), `labels.u8`
/// (sparse training labels, 0 = unlabelled) and `truth.u8` (1 = target, other ids = not target,
/// 0 = not scored). Written by the hard-fossil suite and by `Scripts/make-real-quality-scans.py`;
/// read by this benchmark and by `Scripts/reference-quality.py`.
struct QualityCase {
    struct Meta: Codable {
        var name: String
        var z: Int
        var y: Int
        var x: Int
        var dtype: String
        var targetClass: Int
        var labelledSlices: [Int]
        var scoredSlices: [Int]
        var source: String
        var licence: String
        var description: String?

        enum CodingKeys: String, CodingKey {
            case name, z, y, x, dtype, targetClass = "target_class", labelledSlices = "labelled_slices"
            case scoredSlices = "scored_slices", source, licence, description
        }
    }

    let folder: URL
    let meta: Meta

    var shape: Shape { Shape(z: meta.z, y: meta.y, x: meta.x) }

    init(folder: URL) throws {
        self.folder = folder
        let url = folder.appendingPathComponent("meta.json")
        do {
            meta = try JSONDecoder().decode(Meta.self, from: Data(contentsOf: url))
        } catch {
            throw BenchError("\(url.path): not a quality case (\(error))")
        }
    }

    /// `url` itself when it is a case, else the cases directly inside it, sorted by name.
    static func folders(in url: URL) throws -> [URL] {
        let fm = FileManager.default
        if fm.fileExists(atPath: url.appendingPathComponent("meta.json").path) { return [url] }
        let inside = try fm.contentsOfDirectory(at: url, includingPropertiesForKeys: nil)
            .filter { fm.fileExists(atPath: $0.appendingPathComponent("meta.json").path) }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        guard !inside.isEmpty else { throw BenchError("\(url.path): no meta.json in it or in its folders") }
        return inside
    }

    var dtype: DType {
        get throws {
            switch meta.dtype {
            case "uint8": return .u8
            case "uint16": return .u16
            case "int16": return .i16
            case "float32": return .f32
            default: throw BenchError("\(folder.path)/meta.json: dtype \(meta.dtype) is not uint8, uint16, int16 or float32")
            }
        }
    }

    /// Converts the scan into a fresh project under `work` and imports the training labels.
    func prepareProject(in work: URL) throws -> QualityEvaluation {
        let url = work.appendingPathComponent("\(meta.name).trowel")
        try? FileManager.default.removeItem(at: url)
        let scan = try RawVolume(file: folder.appendingPathComponent("scan.raw"), shape: shape, dtype: try dtype)
        let (project, _) = try ProjectBuilder().build(from: scan, at: url)
        let labels = try RawVolume(file: folder.appendingPathComponent("labels.u8"), shape: shape, dtype: .u8)
        try LabelImport(project: project, author: "quality").run(from: labels, file: "labels.u8", mapping: .classIDs)
        let truth = try BenchSupport.readBytes(folder.appendingPathComponent("truth.u8").path, count: shape.voxelCount)
        return QualityEvaluation(project: project, volume: try MultiscaleVolume.open(at: project.volumeURL),
                                 truth: truth, shape: shape, target: UInt8(meta.targetClass), scored: meta.scoredSlices)
    }
}

/// A case's project with its labels, and the truth its predictions are scored against.
struct QualityEvaluation {
    let project: Project
    let volume: MultiscaleVolume
    let truth: [UInt8]
    let shape: Shape
    let target: UInt8
    let scored: [Int]

    /// Trains `recipe` as `trowel train` does (with its held-out scores), predicts the scored
    /// slices and returns the F1 of the target class there (voxels whose truth is 0 are skipped).
    func score(_ recipe: TrainingRecipe) throws -> RecipeResult {
        let started = Date()
        let run = try TrainingRun(project: project, volume: volume, recipe: recipe)
        let (forest, record) = try run.run()
        let predictor = Predictor(forest: forest, volume: volume)
        var tp = 0, fp = 0, fn = 0
        let plane = shape.y * shape.x
        for z in scored {
            let predicted = try predictor.labels(Box(z: z..<(z + 1), y: 0..<shape.y, x: 0..<shape.x)).elements
            let base = z * plane
            for i in 0..<plane {
                let t = truth[base + i]
                if t == 0 { continue }
                let p = predicted[i] == target, isTarget = t == target
                if p && isTarget { tp += 1 } else if p { fp += 1 } else if isTarget { fn += 1 }
            }
        }
        let f1 = Double(2 * tp) / Double(max(1, 2 * tp + fp + fn))
        return RecipeResult(recipe: recipe.name, f1: f1, precision: Double(tp) / Double(max(1, tp + fp)),
                            recall: Double(tp) / Double(max(1, tp + fn)),
                            heldOutF1: record.metrics?.perClass[Int(target)]?.f1,
                            seconds: Date().timeIntervalSince(started), features: run.spec.featureCount)
    }
}

extension QualityCase {
    /// Writes the bundled sample's phantom (160³ like `SampleData/fossil`, 96 slices here) as a case:
    /// the easy scan, so a recipe that wins on hard scans is seen not to lose on an ordinary one.
    static func writePhantom(to root: URL, seed: UInt64) throws -> URL {
        let phantom = try FossilPhantom(size: 160, slices: 96, seed: seed)
        let folder = root.appendingPathComponent("fossil-phantom")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let shape = phantom.shape
        guard case .u8(let scan) = try phantom.readSlices(0..<shape.z) else { throw BenchError("phantom is not u8") }
        let truth = phantom.truthSlices(0..<shape.z).elements
        let labelled = [16, 48, 80]
        let scored = (0..<shape.z).filter { z in labelled.allSatisfy { abs($0 - z) >= 2 } }
        var labels = [UInt8](repeating: 0, count: shape.voxelCount)
        let plane = shape.y * shape.x
        for z in labelled {
            for i in (z * plane)..<((z + 1) * plane) { labels[i] = truth[i] }
        }
        try Data(scan.elements).write(to: folder.appendingPathComponent("scan.raw"))
        try Data(labels).write(to: folder.appendingPathComponent("labels.u8"))
        try Data(truth).write(to: folder.appendingPathComponent("truth.u8"))
        let meta = Meta(name: "fossil-phantom", z: shape.z, y: shape.y, x: shape.x, dtype: "uint8", targetClass: 1,
                        labelledSlices: labelled, scoredSlices: stride(from: 0, to: scored.count, by: 3).map { scored[$0] },
                        source: "generated: FossilPhantom seed \(seed) (the bundled sample's model)",
                        licence: "generated by Trowel", description: "bone with trabeculae, a crack, rings, z drift; easy contrast")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        var object = try JSONSerialization.jsonObject(with: encoder.encode(meta)) as! [String: Any]
        object["classes"] = ["1": "bone", "2": "matrix"]
        object["voxel_size"] = NSNull()
        try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])
            .write(to: folder.appendingPathComponent("meta.json"))
        return folder
    }
}
