import Foundation
import GRDB
import TrowelML
import TrowelVolume

/// Image-aware interpolation of sparse slice labels (Biomedisa's "smart interpolation"): the
/// painted voxels seed a random walker on the scan's intensities (`RandomWalker`), solved on a
/// downsampled grid over the region the labels span, then brought back to full resolution
/// (trilinear probabilities, argmax; painted voxels keep their label) and written as a
/// segmentation `segmentations/interp-<UTC timestamp>.zarr` that `trowel mesh`, `eval` and
/// `export` read like a model's.
///
/// The region is the z range from the first to the last labelled slice and, in-plane, the
/// labels' bounding box plus `margin` (clamped to the scan). Everything outside it stays 0
/// (unlabelled): a random walker only interpolates, it cannot extrapolate beyond the seeds.
///
/// Memory: the full-resolution region is streamed in slabs (a few bytes a voxel of one slab);
/// the coarse grid takes about `RandomWalker.estimatedBytes` (≈ 45 bytes per coarse voxel for two
/// classes), i.e. ≈ 3 bytes per region voxel at the default 4 × 4 × 1 downsampling.
public struct LabelInterpolation: Sendable {
    public struct Options: Sendable, Equatable {
        /// In-plane (y, x) downsampling factor of the solve grid.
        public var downsample: Int
        /// Downsampling along z (1: every slice).
        public var downsampleZ: Int
        public var beta: Double
        public var tolerance: Double
        public var maxIterations: Int?
        /// Full-resolution voxels added around the labels' in-plane bounding box.
        public var margin: Int
        /// Id of the new segmentation (nil: `interp-<UTC timestamp>`).
        public var id: String?
        /// After a coarse solve, solve again at full resolution in a band: voxels within one
        /// downsampling factor of a class change or less certain than `bandThreshold`.
        public var refine: Bool
        public var bandThreshold: Double
        /// Labelled slices a run needs (the viewer asks for two: with one there is nothing between).
        public var minimumSlices: Int

        public init(downsample: Int = 4, downsampleZ: Int = 1, beta: Double = 130, tolerance: Double = 1e-3,
                    maxIterations: Int? = nil, margin: Int = 32, id: String? = nil, refine: Bool = true,
                    bandThreshold: Double = 0.9, minimumSlices: Int = 1) {
            self.minimumSlices = minimumSlices
            self.refine = refine
            self.bandThreshold = bandThreshold
            self.downsample = downsample
            self.downsampleZ = downsampleZ
            self.beta = beta
            self.tolerance = tolerance
            self.maxIterations = maxIterations
            self.margin = margin
            self.id = id
        }
    }

    /// What a run did; also written beside the segmentation as `<id>.zarr/interpolation.json`.
    public struct Result: Codable, Sendable, Equatable {
        public struct ClassEntry: Codable, Sendable, Equatable {
            public var id: Int
            public var name: String
            /// Painted voxels of this class.
            public var labelled: Int
            /// Voxels of this class in the result.
            public var voxels: Int
        }
        public var segmentation: String
        public var output: String
        public var method = "random-walker"
        public var classes: [ClassEntry]
        /// Slices with at least one painted voxel.
        public var labelledSlices: [Int]
        /// The region solved, full-resolution voxels: [z0, y0, x0] ..< [z1, y1, x1].
        public var regionLower: [Int]
        public var regionUpper: [Int]
        /// Solve grid shape z, y, x and its factors.
        public var gridShape: [Int]
        public var downsample: [Int]
        public var beta: Double
        public var tolerance: Double
        /// Coarse voxels solved for (not seeds).
        public var voxelsSolved: Int
        public var seedVoxels: Int
        /// Full-resolution voxels given a class (the region).
        public var voxelsLabelled: Int
        public var iterations: [Int]
        public var residuals: [Double]
        public var converged: Bool
        /// Full-resolution voxels solved again in the band (0 without refinement).
        public var refinedVoxels: Int
        /// Iterations of each gap's full-resolution solve (the largest over classes).
        public var refineIterations: [Int]
        public var refineSeconds: Double
        public var seconds: Double
        public var solveSeconds: Double
        /// Strokes (not undone) the labels came from.
        public var strokes: Int
        public var createdAt: Date

        enum CodingKeys: String, CodingKey {
            case segmentation, output, method, classes, beta, tolerance, iterations, residuals, converged, seconds, strokes
            case labelledSlices = "labelled_slices", regionLower = "region_lower", regionUpper = "region_upper"
            case gridShape = "grid_shape", downsample, voxelsSolved = "voxels_solved", seedVoxels = "seed_voxels"
            case voxelsLabelled = "voxels_labelled", solveSeconds = "solve_seconds", createdAt = "created_at"
            case refinedVoxels = "refined_voxels", refineIterations = "refine_iterations", refineSeconds = "refine_seconds"
        }
    }

    public let project: Project
    public let options: Options

    public init(project: Project, options: Options = Options()) {
        self.project = project
        self.options = options
    }

    /// The name of the provenance file inside the segmentation's folder.
    public static let provenanceName = "interpolation.json"

    /// How far a run is: a one-line phase name (its `description`), and `done` of `total` steps
    /// (one per phase, one per gap between labelled slices while refining).
    public struct Progress: Sendable, Equatable, CustomStringConvertible {
        public var phase: String
        public var done: Int
        public var total: Int
        public var description: String { phase }
    }

    /// Runs the interpolation and writes the segmentation. `progress` gets each phase;
    /// `isCancelled` is polled between slabs and gaps and by the solver, and a cancelled run
    /// throws `InterpolationError.cancelled` before it writes anything.
    public func run(progress: (Progress) -> Void = { _ in }, isCancelled: () -> Bool = { false }) throws -> Result {
        let start = Date()
        func checkCancelled() throws { if isCancelled() { throw InterpolationError.cancelled } }
        guard options.downsample >= 1, options.downsampleZ >= 1 else {
            throw InterpolationError.badOption("--downsample must be at least 1")
        }
        guard options.beta >= 0, options.beta.isFinite else { throw InterpolationError.badOption("--beta must be ≥ 0") }
        guard options.tolerance > 0, options.tolerance < 1 else { throw InterpolationError.badOption("--tolerance must be in (0, 1)") }
        if let m = options.maxIterations, m < 1 { throw InterpolationError.badOption("--max-iterations must be at least 1") }
        guard options.margin >= 0 else { throw InterpolationError.badOption("--margin must be ≥ 0") }

        let record = try project.record()
        let volume = try MultiscaleVolume.open(at: project.volumeURL)
        let shape = volume.shape
        let labelsURL = project.url.appendingPathComponent(LabelStore.folderName)
        guard FileManager.default.fileExists(atPath: labelsURL.path) else { throw InterpolationError.noLabels(project.url.path) }
        let labels = try ZarrArray.open(at: labelsURL)
        guard labels.shape == shape, labels.dtype == .u8 else {
            throw InterpolationError.labelVolume("labels.zarr is \(labels.shape) \(labels.dtype), the scan is \(shape)")
        }

        // 1. Where the labels are: slices, in-plane bounding box, voxels per class.
        progress(Progress(phase: "reading labels", done: 0, total: 1))
        let survey = try Self.survey(labels)
        guard survey.total > 0 else { throw InterpolationError.noLabels(project.url.path) }
        guard survey.slices.count >= options.minimumSlices else {
            throw InterpolationError.tooFewSlices(labelled: survey.slices, needed: options.minimumSlices)
        }
        let classes = try project.classes()
        let present = survey.counts.indices.filter { $0 > 0 && survey.counts[$0] > 0 }
        guard present.count >= 2 else {
            let names = present.map { id in classes.first { $0.id == id }?.name ?? String(id) }
            throw InterpolationError.tooFewClasses(names)
        }
        let slices = survey.slices
        let region = WalkerField.region(slices: slices.first!...slices.last!, plane: survey.box, margin: options.margin, shape: shape)
        let classIDs = present.map { UInt8($0) }

        // 2. The coarse grid (block means of normalised intensities, unanimous seeds), solved.
        let settings = WalkerField.Settings(downsample: options.downsample, downsampleZ: options.downsampleZ, beta: options.beta,
                                            tolerance: options.tolerance, maxIterations: options.maxIterations, margin: options.margin)
        let preview = WalkerGrid(full: region.shape, factors: Shape(z: options.downsampleZ, y: options.downsample, x: options.downsample))
        let refine = options.refine && preview.factors != Shape(z: 1, y: 1, x: 1)
        let gapCount = max(1, slices.count - 1)
        let steps = 4 + (refine ? gapCount : 0)
        try checkCancelled()
        progress(Progress(phase: "downsampling \(region.shape) to \(preview.coarse)", done: 1, total: steps))
        let low = record.valueLow, high = record.valueHigh
        let scale = high > low ? 1 / (high - low) : 1
        let voxelSize = [record.voxelZ, record.voxelY, record.voxelX]
        let field = try WalkerField.solve(volume: volume, low: low, high: high, voxelSize: voxelSize, region: region,
                                          classes: classIDs, settings: settings,
                                          seeds: { box in try labels.read(box, as: UInt8.self) },
                                          solving: { unknowns in
                                              progress(Progress(phase: "solving \(unknowns) voxels for \(present.count) classes",
                                                                done: 2, total: steps))
                                          }, isCancelled: isCancelled)
        let grid = field.grid, solution = field.solution, coarseSeeds = field.seedVoxels
        let solveSeconds = field.solveSeconds
        var compact = [UInt8](repeating: 0, count: 256)
        for (k, id) in present.enumerated() { compact[id] = UInt8(k + 1) }
        var z = region.lower.z

        // 4. Full resolution, gap by gap (consecutive labelled slices): upsample and, when the grid
        // was coarser, solve again at full resolution in the band of uncertain or boundary voxels,
        // every other voxel a seed of its upsampled class.
        let plane = region.shape.y * region.shape.x
        var regionClasses = [UInt8](repeating: 0, count: region.shape.voxelCount)
        let relative = slices.map { $0 - region.lower.z }
        let gaps = relative.count == 1 ? [(relative[0], relative[0])] : Array(zip(relative, relative.dropFirst()))
        let fullSpacing = [record.voxelZ, record.voxelY, record.voxelX]
        let fullUnit = fullSpacing.min() ?? 1
        let fullParameters = RandomWalker.Parameters(beta: options.beta, tolerance: options.tolerance, maxIterations: options.maxIterations,
                                                     spacing: fullSpacing.map { $0 / fullUnit })
        var refined = 0
        var refineIterations: [Int] = []
        var refineConverged = true
        let refineStart = Date()
        for (gap, (a, b)) in gaps.enumerated() {
            if refine {
                progress(Progress(phase: "refining gap \(gap + 1) of \(gaps.count) at full resolution", done: 3 + gap, total: steps))
            }
            let box = Box(lower: Index3(z: region.lower.z + a, y: region.lower.y, x: region.lower.x),
                          upper: Index3(z: region.lower.z + b + 1, y: region.upper.y, x: region.upper.x))
            var given = try labels.read(box, as: UInt8.self)
            for i in given.elements.indices { given.elements[i] = compact[Int(given.elements[i])] }
            var (upsampled, confidence) = grid.upsampled(probabilities: solution.probabilities, labels: given, z0: a, confidence: refine)
            if refine {
                let band = WalkerGrid.band(classes: upsampled, confidence: confidence, labels: given,
                                           radius: max(grid.factors.y, grid.factors.x), threshold: Float(options.bandThreshold))
                var fullSeeds = upsampled
                var unknown = 0
                for i in band.indices where band[i] != 0 {
                    fullSeeds[i] = 0
                    unknown += 1
                }
                if unknown > 0 {
                    let values = try normalised(volume.read(box), low: low, scale: scale)
                    let fine: RandomWalker.Solution
                    do {
                        fine = try RandomWalker.solve(intensities: values, seeds: fullSeeds, shape: box.shape, classCount: present.count,
                                                      parameters: fullParameters, shouldStop: isCancelled)
                    } catch {
                        throw InterpolationError.solver("\(error)")
                    }
                    try checkCancelled()
                    for i in band.indices where band[i] != 0 { upsampled[i] = fine.mostProbable(at: i) }
                    refined += unknown
                    refineIterations.append(fine.iterations.max() ?? 0)
                    refineConverged = refineConverged && fine.converged
                }
            }
            regionClasses.replaceSubrange((a * plane)..<((b + 1) * plane), with: upsampled)
        }
        let refineSeconds = Date().timeIntervalSince(refineStart)
        var produced = [Int](repeating: 0, count: 256)
        for i in regionClasses.indices {
            let c = classIDs[Int(regionClasses[i]) - 1]
            regionClasses[i] = c
            produced[Int(c)] += 1
        }
        let regionBlock = Block<UInt8>(shape: region.shape, elements: regionClasses)
        regionClasses = []

        // 5. The segmentation, slab by slab along storage chunks (past this point a run finishes).
        try checkCancelled()
        let id = try newID()
        let store = SegmentationStore(projectURL: project.url, id: id)
        progress(Progress(phase: "writing segmentation \(id)", done: steps - 1, total: steps))
        let layout = try BlockGrid(shape: shape, side: 128)
        let (output, _) = try store.prepare(grid: layout, probabilities: false, classes: [], voxelSize: volume.voxelSize)
        let chunkZ = layout.chunkShape.z
        z = (region.lower.z / chunkZ) * chunkZ
        while z < region.upper.z {
            let slabBox = Box(lower: Index3(z: z, y: 0, x: 0), upper: Index3(z: min(shape.z, z + chunkZ), y: shape.y, x: shape.x))
            var out = Block<UInt8>(shape: slabBox.shape, repeating: 0)
            out.copy(from: regionBlock, at: region.lower, into: slabBox.lower)
            do { try output.write(out, at: slabBox.lower) } catch { throw SegmentationError.unwritable(store.levelZeroURL.path, "\(error)") }
            z = slabBox.upper.z
        }
        for block in 0..<layout.count { try store.markDone(block) }
        try store.buildPyramid(levelShapes: volume.levels.map(\.shape), chunks: layout.chunkShape, voxelSize: volume.voxelSize,
                               workers: ProcessInfo.processInfo.activeProcessorCount)

        let strokes = try project.database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM stroke WHERE undone = 0") }
        let result = Result(
            segmentation: id, output: store.url.path,
            classes: present.map { cid in
                Result.ClassEntry(id: cid, name: classes.first { $0.id == cid }?.name ?? String(cid),
                                  labelled: survey.counts[cid], voxels: produced[cid])
            },
            labelledSlices: slices, regionLower: region.lower.array, regionUpper: region.upper.array,
            gridShape: grid.coarse.array, downsample: grid.factors.array, beta: options.beta, tolerance: options.tolerance,
            voxelsSolved: solution.unknowns, seedVoxels: coarseSeeds, voxelsLabelled: region.shape.voxelCount,
            iterations: solution.iterations, residuals: solution.residuals, converged: solution.converged && refineConverged,
            refinedVoxels: refined, refineIterations: refineIterations, refineSeconds: refineSeconds,
            seconds: Date().timeIntervalSince(start), solveSeconds: solveSeconds, strokes: strokes ?? 0, createdAt: start)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        do {
            try encoder.encode(result).write(to: store.url.appendingPathComponent(Self.provenanceName), options: .atomic)
        } catch {
            throw SegmentationError.unwritable(store.url.path, "\(error)")
        }
        return result
    }

    /// Scan values mapped to 0…1 between the scan's 0.5 and 99.5 percentiles (clamped).
    private func normalised(_ block: AnyBlock, low: Double, scale: Double) -> [Float] {
        WalkerField.normalised(block, low: low, scale: scale)
    }

    /// The provenance of an interpolated segmentation, if `store` is one.
    public static func provenance(of store: SegmentationStore) -> Result? {
        guard let data = try? Data(contentsOf: store.url.appendingPathComponent(provenanceName)) else { return nil }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try? decoder.decode(Result.self, from: data)
    }

    /// `options.id`, or `interp-<UTC timestamp>` (with a suffix if taken); never an existing one.
    private func newID() throws -> String {
        if let id = options.id {
            guard !id.isEmpty, !id.contains("/") else { throw InterpolationError.badOption("-o \(id): give a plain name (no '/')") }
            let store = SegmentationStore(projectURL: project.url, id: id)
            guard !FileManager.default.fileExists(atPath: store.url.path) else { throw InterpolationError.exists(store.url.path) }
            return id
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        let base = "interp-\(formatter.string(from: Date()))"
        var candidate = base
        var n = 2
        while FileManager.default.fileExists(atPath: SegmentationStore(projectURL: project.url, id: candidate).url.path) {
            candidate = "\(base)-\(n)"
            n += 1
        }
        return candidate
    }

    /// Labelled slices, in-plane bounding box and voxels per class, from the chunks that exist.
    static func survey(_ labels: ZarrArray) throws -> (slices: [Int], box: Box, counts: [Int], total: Int) {
        var counts = [Int](repeating: 0, count: 256)
        var sliceHit = [Bool](repeating: false, count: labels.shape.z)
        var lower = labels.shape.index, upper = Index3.zero
        for chunk in labels.writtenChunks {
            let box = labels.chunkBox(chunk)
            let block = try labels.read(box, as: UInt8.self)
            let s = block.shape
            block.elements.withUnsafeBufferPointer { e in
                for z in 0..<s.z {
                    for y in 0..<s.y {
                        let row = (z * s.y + y) * s.x
                        var any = false
                        for x in 0..<s.x where e[row + x] != 0 {
                            counts[Int(e[row + x])] += 1
                            if !any {
                                any = true
                                lower.x = min(lower.x, box.lower.x + x)
                            }
                            upper.x = max(upper.x, box.lower.x + x + 1)
                        }
                        if any {
                            sliceHit[box.lower.z + z] = true
                            lower.y = min(lower.y, box.lower.y + y)
                            upper.y = max(upper.y, box.lower.y + y + 1)
                        }
                    }
                }
            }
        }
        let slices = sliceHit.indices.filter { sliceHit[$0] }
        let total = counts.reduce(0, +)
        if let first = slices.first, let last = slices.last {
            lower.z = first
            upper.z = last + 1
        }
        return (slices, Box(lower: lower, upper: upper), counts, total)
    }
}

/// Why an interpolation cannot run, as one line.
public enum InterpolationError: Error, Equatable, CustomStringConvertible {
    case noLabels(String)
    case tooFewClasses([String])
    case labelVolume(String)
    case badOption(String)
    case exists(String)
    case solver(String)
    /// Fewer labelled slices than the run asked for (`Options.minimumSlices`): which are labelled.
    case tooFewSlices(labelled: [Int], needed: Int)
    case cancelled

    public var description: String {
        switch self {
        case .noLabels(let p): return "\(p): no labels painted yet; label at least two classes on some slices first"
        case .tooFewClasses(let names):
            let what = names.isEmpty ? "no class" : "only \(names.joined(separator: ", "))"
            return "interpolation needs labels of at least two classes; \(what) is labelled"
        case .labelVolume(let reason): return "cannot read the labels: \(reason)"
        case .badOption(let reason): return reason
        case .exists(let p): return "\(p) already exists; choose another -o or delete it"
        case .solver(let reason): return reason
        case .tooFewSlices(let labelled, let needed):
            let what = labelled.isEmpty ? "no slice is" : labelled.count == 1 ? "only slice z \(labelled[0]) is"
                : "only slices z \(labelled.map(String.init).joined(separator: ", ")) are"
            return "interpolation needs labels on at least \(needed == 2 ? "two" : String(needed)) slices; \(what) labelled"
        case .cancelled: return "interpolation stopped; nothing was written"
        }
    }
}
