import Foundation
import Testing
import TrowelML
import TrowelVolume
@testable import TrowelEngine

/// Clean-up of components chosen on held-out slices: keeping the largest component is adopted for
/// one structure among look-alike specks, and refused where the target is many grains.
@Suite struct CleanupTuningTests {
    /// 9 slices of 48²: bright voxels in dark noise. `grains`: nine discs of radius 4, all target.
    /// Otherwise one disc of radius 10 (the target) and bright 2×2 specks that are not: with only
    /// the finest scale a forest cannot tell a speck from the disc, so it calls some specks target.
    static func scan(grains: Bool) -> (Block<UInt8>, Block<UInt8>) {
        let shape = Shape(z: 9, y: 48, x: 48)
        var scan = Block<UInt8>(shape: shape, repeating: 0), truth = Block<UInt8>(shape: shape, repeating: 2)
        var random = TestRandom(state: grains ? 5 : 9)
        for z in 0..<shape.z {
            for y in 0..<shape.y {
                for x in 0..<shape.x {
                    var bright = false, target = false
                    if grains {
                        let (cy, cx) = (8 + 16 * (y / 16), 8 + 16 * (x / 16))
                        bright = (y - cy) * (y - cy) + (x - cx) * (x - cx) <= 16
                        target = bright
                    } else {
                        target = (y - 24) * (y - 24) + (x - 24) * (x - 24) <= 100
                        let speck = (y % 12 < 2) && (x % 12 < 2) && (y < 8 || y > 40 || x < 8 || x > 40)
                        bright = target || speck
                    }
                    scan[z, y, x] = UInt8((bright ? 170 : 60) + random.below(30))
                    if target { truth[z, y, x] = 1 }
                }
            }
        }
        return (scan, truth)
    }

    static func tuning(grains: Bool) throws -> CleanupTuning {
        let (scan, truth) = Self.scan(grains: grains)
        var labels = Block<UInt8>(shape: scan.shape, repeating: 0)
        for z in [1, 4, 7] {
            for y in 0..<scan.shape.y {
                for x in 0..<scan.shape.x { labels[z, y, x] = truth[z, y, x] }
            }
        }
        let project = try BlockProject(scan: scan, labels: labels, prefix: "trowel-cleanup")
        var recipe = TrainingRecipe.standard
        recipe.sigmaMax = 0.5
        recipe.forest.treeCount = 10
        let held = try #require(try TrainingRun(project: project.project, volume: project.volume, recipe: recipe).predictHeldOut())
        #expect(held.folds.allSatisfy { $0.forest != nil })
        return try #require(try CleanupTuning.tune(held, volume: project.volume))
    }

    @Test func keepingTheLargestIsAdoptedForOneStructureAmongSpecks() throws {
        let t = try Self.tuning(grains: false)
        #expect(t.adopted, "\(t)")
        #expect(t.tunedScore > t.plainScore, "\(t)")
        #expect(t.step?.classID == 1, "\(t)")
        #expect(t.candidates["none"] == t.plainScore)
    }

    @Test func keepingTheLargestIsRefusedForGrains() throws {
        let t = try Self.tuning(grains: true)
        #expect(t.step?.keepLargest == nil, "\(t)")
        let keep = try #require(t.candidates["keep the largest component of class 1"])
        #expect(keep < t.plainScore - 0.2, "\(t)")
    }
}
