import Foundation
import TrowelML
import TrowelVolume

/// Sparse features at labelled voxels, computed slab by slab (the voxels' bounding box in a slab plus
/// the halo the FeatureSpec needs, through `FeatureBank.features(at:of:)`), cached by voxel so a new
/// stroke only costs its own voxels. Thread-safe: one lock around the cache.
public final class FeatureCache: @unchecked Sendable {
    public let volume: MultiscaleVolume
    public let spec: FeatureSpec
    private let lock = NSLock()
    /// Row of each cached voxel in `rows`.
    private var index: [Index3: Int] = [:]
    private var rows: [Float] = []

    /// Slices per slab for 3D features (2D features go slice by slice).
    static let volumetricSlab = 32

    public init(volume: MultiscaleVolume, spec: FeatureSpec) {
        self.volume = volume
        self.spec = spec
    }

    /// Voxels whose features are cached.
    public var count: Int { lock.withLock { index.count } }

    /// Forgets every cached voxel (e.g. to bound memory after many strokes were erased).
    public func removeAll() {
        lock.withLock {
            index.removeAll()
            rows.removeAll()
        }
    }

    /// Features of `voxels` (positions in the scan), voxel-major, `spec.featureCount` per voxel.
    public func features(at voxels: [Index3]) throws -> [Float] {
        try features(at: voxels, progress: { _ in })
    }

    /// As `features(at:)`, reporting the fraction of uncached slabs done.
    public func features(at voxels: [Index3], progress: (Double) -> Void) throws -> [Float] {
        // An invalid spec is reported here, when features are first asked for.
        let bank = try FeatureBank(spec: spec)
        let bounds = volume.shape.box
        for v in voxels where !bounds.contains(v) {
            throw LearningError.labelVolume("voxel \(v) is outside the scan \(volume.shape)")
        }
        lock.lock()
        defer { lock.unlock() }
        let f = spec.featureCount
        // Missing voxels, grouped by slab.
        let depth = spec.dimensionality == .planar ? 1 : Self.volumetricSlab
        var missing: [Int: [Index3]] = [:]
        var seen = Set<Index3>()
        for v in voxels where index[v] == nil && seen.insert(v).inserted {
            missing[v.z / depth, default: []].append(v)
        }
        let slabs = missing.keys.sorted()
        for (done, slab) in slabs.enumerated() {
            let members = missing[slab]!
            var lower = members[0], upper = members[0]
            for v in members {
                lower = lower.clamped(below: v)
                upper = upper.clamped(above: v)
            }
            let region = Box(lower: lower, upper: upper + Index3(z: 1, y: 1, x: 1))
            let context = bank.contextBox(for: region, within: bounds)
            let block = try volume.read(context)
            let local = members.map { $0 - context.lower }
            let values = bank.startingAt(slice: context.lower.z).features(at: local, of: block)
            var row = rows.count / f
            rows.append(contentsOf: values)
            for v in members {
                index[v] = row
                row += 1
            }
            progress(Double(done + 1) / Double(slabs.count))
        }
        var out = [Float](repeating: 0, count: voxels.count * f)
        rows.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for (i, v) in voxels.enumerated() {
                    let r = index[v]!
                    (dst.baseAddress! + i * f).update(from: src.baseAddress! + r * f, count: f)
                }
            }
        }
        return out
    }
}
