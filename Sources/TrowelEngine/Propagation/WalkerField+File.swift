import Foundation
import TrowelML
import TrowelVolume

extension WalkerField {
    /// Version of the stored field; a file of another version is refused.
    static let fileVersion = 1

    /// Writes the solved field as a Zarr array (float32, the classes stacked along z: class k's
    /// grid is slices k·cz ..< (k+1)·cz) with the region, factors and classes as attributes, so
    /// a model predicts with exactly the walker it was tuned with, whatever is painted later.
    public func write(to url: URL) throws {
        let c = grid.coarse, k = classes.count
        let attributes: [String: JSONValue] = [
            "trowel_walker_field": .number(Double(Self.fileVersion)),
            "region_lower": .array(region.lower.array.map { .number(Double($0)) }),
            "region_upper": .array(region.upper.array.map { .number(Double($0)) }),
            "factors": .array(grid.factors.array.map { .number(Double($0)) }),
            "classes": .array(classes.map { .number(Double($0)) }),
            "seed_voxels": .number(Double(seedVoxels)),
        ]
        try? FileManager.default.removeItem(at: url)
        let array = try ZarrArray.create(at: url, shape: Shape(z: k * c.z, y: c.y, x: c.x),
                                         chunks: Shape(z: min(64, k * c.z), y: min(256, c.y), x: min(256, c.x)),
                                         dtype: .f32, compressor: .zstd(level: 3), attributes: attributes)
        var all = [Float]()
        all.reserveCapacity(k * c.voxelCount)
        for p in solution.probabilities { all += p }
        try array.write(Block<Float>(shape: array.shape, elements: all), at: .zero)
    }

    /// Reads a field written by `write(to:)`; one line naming the file when it is not one.
    public init(contentsOf url: URL) throws {
        func bad(_ reason: String) -> LearningError { .corruptModel(url.lastPathComponent, reason) }
        let array = try ZarrArray.open(at: url)
        let a = try array.readAttributes()
        guard a["trowel_walker_field"]?.intValue == Self.fileVersion else { throw bad("not a walker field of version \(Self.fileVersion)") }
        guard let lower = a["region_lower"]?.intArray, lower.count == 3, let upper = a["region_upper"]?.intArray, upper.count == 3,
              let factors = a["factors"]?.intArray, factors.count == 3, factors.allSatisfy({ $0 >= 1 }),
              let ids = a["classes"]?.intArray, ids.count >= 2, ids.allSatisfy({ (1...255).contains($0) }) else {
            throw bad("its region, factors or classes are missing")
        }
        let region = Box(lower: Index3(z: lower[0], y: lower[1], x: lower[2]), upper: Index3(z: upper[0], y: upper[1], x: upper[2]))
        guard !region.isEmpty else { throw bad("its region is empty") }
        let grid = WalkerGrid(full: region.shape, factors: Shape(z: factors[0], y: factors[1], x: factors[2]))
        let k = ids.count, c = grid.coarse
        guard array.shape == Shape(z: k * c.z, y: c.y, x: c.x), array.dtype == .f32 else {
            throw bad("its grid is \(array.shape) \(array.dtype), \(k) classes over \(c) float32 expected")
        }
        let values = try array.read(array.shape.box, as: Float.self).elements
        let n = c.voxelCount
        let probabilities = (0..<k).map { Array(values[($0 * n)..<(($0 + 1) * n)]) }
        self.init(region: region, grid: grid, classes: ids.map { UInt8($0) },
                  solution: RandomWalker.Solution(shape: c, probabilities: probabilities, unknowns: 0, iterations: [], residuals: [],
                                                  converged: true),
                  seedVoxels: a["seed_voxels"]?.intValue ?? 0, solveSeconds: 0)
    }
}
