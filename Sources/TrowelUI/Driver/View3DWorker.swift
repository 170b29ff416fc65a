import Foundation
import TrowelEngine
import TrowelML
import TrowelVolume

/// The 3D view's background work, off the UI thread: ray casting on a latest-wins worker (keys
/// held down ask for coarse frames faster than they render; only the newest is drawn), and the
/// surfaces that take long to make — the model's prediction of a class over the whole level, a
/// segmentation's level — on a second worker, so turning the view never waits for them. Until a
/// surface is ready a frame shows the projection alone; then the newest request is drawn again
/// with it.
final class View3DWorker: @unchecked Sendable {
    /// One render: the request and what it needs from the state, and the painted labels on the level.
    struct Job: Sendable {
        var request: View3DRequest
        var classColors: [Int: RGB]
        var ramp: [RGB]
        var background: RGB
        /// The painted labels max-pooled onto the level (nil when the scan is too big to pool).
        var labels: [UInt8]?
    }

    private let volume: MultiscaleVolume
    private let post: @Sendable (Message) -> Void
    private let model: @Sendable () -> (RandomForest, String)?
    private let segmentation: @Sendable (String) throws -> MultiscaleVolume
    private var renderer: LatestWinsWorker<Job>!
    private var surfaces: LatestWinsWorker<Job>!
    private let lock = NSLock()
    /// The scan level rays are cast through, read once.
    private var scan: (level: Int, shape: Shape, values: [Float])?
    /// Surfaces made so far, by what they show (class id per voxel of the level, 0 elsewhere).
    private var made: [SurfaceKey: [UInt8]] = [:]
    private var failed: Set<SurfaceKey> = []
    private var newest: Job?

    struct SurfaceKey: Hashable {
        var kind: String
        var id: String
        var classID: Int
    }

    init(volume: MultiscaleVolume, model: @escaping @Sendable () -> (RandomForest, String)?,
         segmentation: @escaping @Sendable (String) throws -> MultiscaleVolume, post: @escaping @Sendable (Message) -> Void) {
        self.volume = volume
        self.model = model
        self.segmentation = segmentation
        self.post = post
        renderer = LatestWinsWorker(label: "trowel.view3d.render") { [unowned self] job, _ in self.render(job) }
        surfaces = LatestWinsWorker(label: "trowel.view3d.surface") { [unowned self] job, _ in self.makeSurface(for: job) }
    }

    /// The level the view reads: the finest whose largest side is at most `side`.
    static func level(of volume: MultiscaleVolume, side: Int) -> Int {
        let levels = volume.levels
        return levels.indices.first { levels[$0].shape.largestSide <= side } ?? levels.count - 1
    }

    /// Asks for `job`'s frame; a newer one replaces it if it has not started.
    func submit(_ job: Job) {
        lock.lock()
        newest = job
        lock.unlock()
        renderer.submit(job)
    }

    private func key(_ surface: View3DSurface) -> SurfaceKey? {
        switch surface {
        case .labels: return nil
        case .prediction(let model, let c): return SurfaceKey(kind: "prediction", id: model, classID: c)
        case .segmentation(let id, let c): return SurfaceKey(kind: "segmentation", id: id, classID: c)
        }
    }

    private func scanLevel() throws -> (level: Int, shape: Shape, values: [Float]) {
        lock.lock()
        let known = scan
        lock.unlock()
        if let known { return known }
        let level = Self.level(of: volume, side: EffectRunner.view3DSide)
        let shape = volume.levels[level].shape
        let values = try volume.read(shape.box, level: level).converted(to: Float.self).elements
        lock.lock()
        scan = (level, shape, values)
        lock.unlock()
        return (level, shape, values)
    }

    private func render(_ job: Job) {
        do {
            let scan = try scanLevel()
            var surface: [UInt8]? = job.labels
            var shown = true
            if let key = key(job.request.surface) {
                lock.lock()
                surface = made[key]
                let hopeless = failed.contains(key)
                lock.unlock()
                if surface == nil && !hopeless {
                    shown = false
                    surfaces.submit(job)
                }
            }
            if let s = surface, s.count != scan.shape.voxelCount { surface = nil }
            let volume = RenderVolume(shape: scan.shape, level: scan.level, values: scan.values, labels: surface)
            let r = job.request
            let result = VolumeRenderer.render(volume, camera: r.camera, width: r.width, height: r.height, step: r.step,
                                               window: (Float(r.window.low), Float(r.window.high)), classColors: job.classColors,
                                               ramp: job.ramp, background: job.background)
            let s = scan.shape, l = scan.level
            let voxels = result.voxels.map { i -> Index3? in
                guard i >= 0 else { return nil }
                let i = Int(i)
                return Index3(z: (i / (s.x * s.y)) << l, y: ((i / s.x) % s.y) << l, x: (i % s.x) << l)
            }
            post(.rendered3D(Rendered3D(request: r, image: result.image, voxels: voxels, surfaceShown: shown)))
        } catch {
            post(.failure("3D view: \(error)"))
        }
    }

    /// Makes the surface `job` asks for, then draws the newest request again.
    private func makeSurface(for job: Job) {
        guard let key = key(job.request.surface) else { return }
        lock.lock()
        let done = made[key] != nil
        lock.unlock()
        if done { return }
        do {
            let scan = try scanLevel()
            let started = Date()
            let classes: [UInt8]
            switch job.request.surface {
            case .labels:
                return
            case .prediction(let id, _):
                guard let (forest, current) = model(), current == id else { return }
                classes = try Self.predict(forest, volume: volume, level: scan.level)
            case .segmentation(let id, _):
                classes = try Self.segmentationLevel(try segmentation(id), level: scan.level, shape: scan.shape)
            }
            let c = UInt8(clamping: key.classID)
            let mask = classes.map { $0 == c ? c : 0 }
            lock.lock()
            // A few surfaces of a level are kept (switching class or surface back is instant), not one per model ever made.
            if made.count >= 4 { made.removeAll() }
            made[key] = mask
            let newest = self.newest
            lock.unlock()
            if case .prediction = job.request.surface {
                let seconds = String(format: "%.1f", Date().timeIntervalSince(started))
                post(.notice("3D view: the prediction of level \(scan.level) (\(scan.shape.x)×\(scan.shape.y)×\(scan.shape.z)) took \(seconds) s"))
            }
            if let newest { renderer.submit(newest) }
        } catch {
            lock.lock()
            failed.insert(key)
            lock.unlock()
            post(.failure("3D view: \(error)"))
        }
    }

    /// The class of every voxel of pyramid level `level` as `forest` predicts it, tile by tile on
    /// that level's voxels (features at the level's scale: exact at level 0, the model seen from
    /// farther away above it).
    static func predict(_ forest: RandomForest, volume: MultiscaleVolume, level: Int) throws -> [UInt8] {
        let shape = volume.levels[level].shape
        let bounds = shape.box
        var out = [UInt8](repeating: 0, count: shape.voxelCount)
        for tile in Predictor(forest: forest, volume: volume).tiles(covering: bounds) {
            let context = forest.contextBox(for: tile, within: bounds)
            let block = try volume.read(context, level: level)
            let labels = try forest.probabilities(of: block, in: tile.translated(by: .zero - context.lower),
                                                  firstSlice: context.lower.z << level).labels
            let t = tile.shape
            for z in 0..<t.z {
                for y in 0..<t.y {
                    let from = (z * t.y + y) * t.x
                    let to = ((tile.lower.z + z) * shape.y + tile.lower.y + y) * shape.x + tile.lower.x
                    for x in 0..<t.x { out[to + x] = labels.elements[from + x] }
                }
            }
        }
        return out
    }

    /// A segmentation at pyramid level `level` of the scan (its own pyramid; nearest voxel when it has fewer levels).
    static func segmentationLevel(_ segmentation: MultiscaleVolume, level: Int, shape: Shape) throws -> [UInt8] {
        let available = min(level, segmentation.levels.count - 1)
        let have = segmentation.levels[available].shape
        let block = try segmentation.read(have.box, level: available).converted(to: UInt8.self).elements
        if have == shape { return block }
        var out = [UInt8](repeating: 0, count: shape.voxelCount)
        for z in 0..<shape.z {
            let sz = min(have.z - 1, z * have.z / shape.z)
            for y in 0..<shape.y {
                let sy = min(have.y - 1, y * have.y / shape.y)
                for x in 0..<shape.x {
                    out[(z * shape.y + y) * shape.x + x] = block[(sz * have.y + sy) * have.x + min(have.x - 1, x * have.x / shape.x)]
                }
            }
        }
        return out
    }
}
