import ArgumentParser
import Foundation
import TrowelML
import TrowelVolume

/// 3D features (σ 1…32, 30 per voxel) of one compute block, as the reference figure in
/// notes/performance.md measures them: Mvox/s and the bytes of float features per block.
struct Features3DBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "features3d",
        abstract: "Time volumetric features of a synthetic uint8 block."
    )

    @Option(help: "Block side in voxels.") var side: Int = 128
    @Option(help: "Smallest σ.") var sigmaMin: Double = 1
    @Option(help: "Largest σ.") var sigmaMax: Double = 32
    @Flag(help: "Print one JSON object.") var json = false

    func run() throws {
        let shape = Shape.cube(side)
        var rng: UInt64 = 0x2545_F491_4F6C_DD1D
        var voxels = [UInt8](repeating: 0, count: shape.voxelCount)
        for z in 0..<side {
            for y in 0..<side {
                for x in 0..<side {
                    rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17
                    let ball = (z - side / 2) * (z - side / 2) + (y - side / 3) * (y - side / 3) + (x - side / 2) * (x - side / 2) < side * side / 9
                    voxels[shape.offset(z: z, y: y, x: x)] = UInt8(truncatingIfNeeded: (ball ? 160 : 60) + Int(rng % 40))
                }
            }
        }
        let bank = try FeatureBank(spec: .basic(sigmaMin: sigmaMin, sigmaMax: sigmaMax, dimensionality: .volumetric))
        let block = AnyBlock(Block(shape: shape, elements: voxels))
        let (features, seconds) = BenchSupport.time { bank.features(of: block) }
        let out: [String: Any] = [
            "block": "\(side)^3",
            "features": features.featureCount,
            "features_mvox_s": Double(shape.voxelCount) / seconds / 1e6,
            "seconds": seconds,
            "feature_bytes": features.byteCount,
            "halo": bank.halo,
            "peak_rss_mb": BenchSupport.peakResidentMegabytes(),
        ]
        if json {
            try BenchSupport.printJSON(out)
        } else {
            for key in out.keys.sorted() { print("\(key): \(out[key]!)") }
        }
    }
}
