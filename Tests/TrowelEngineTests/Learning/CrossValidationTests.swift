import Foundation
import Testing
import TrowelML
import TrowelVolume
@testable import TrowelEngine

struct CrossValidationTests {
    /// A grid of voxels with stride `step` on each of `slices`; class by the side of a wavy boundary.
    func grid(slices: [Int], size: Int = 48, step: Int = 2) -> LabelledSet {
        var voxels: [Index3] = [], labels: [UInt8] = []
        for z in slices {
            for y in stride(from: 0, to: size, by: step) {
                for x in stride(from: 0, to: size, by: step) {
                    voxels.append(Index3(z: z, y: y, x: x))
                    labels.append(x + (y % 7) < size / 2 ? 1 : 2)
                }
            }
        }
        return LabelledSet(voxels: voxels, labels: labels)
    }

    /// No held-out voxel has a training voxel within `gap` in the plane and `sliceGap` across slices.
    func expectNoLeak(_ set: LabelledSet, _ folds: [CrossValidation.Fold], gap: Int, sliceGap: Int) {
        for fold in folds {
            let held = Set(fold.heldOut)
            #expect(held.isDisjoint(with: fold.training))
            for h in fold.heldOut {
                let a = set.voxels[h]
                for t in fold.training {
                    let b = set.voxels[t]
                    let near = abs(a.z - b.z) <= sliceGap && max(abs(a.y - b.y), abs(a.x - b.x)) <= gap
                    if near { Issue.record("held-out \(a) has training voxel \(b) within the gap"); return }
                }
            }
        }
    }

    @Test func wholeSlicesAreHeldOutAndNeighboursDropped() throws {
        let set = grid(slices: [0, 1, 9, 20, 21, 30])
        let folds = try #require(CrossValidation.plan(set, gap: 5, sliceGap: 1, folds: 3))
        #expect(folds.count == 3)
        expectNoLeak(set, folds, gap: 5, sliceGap: 1)
        // Each slice is held out in exactly one fold.
        for z in Set(set.voxels.map(\.z)) {
            let holders = folds.filter { f in f.heldOut.contains { set.voxels[$0].z == z } }
            #expect(holders.count == 1)
            #expect(holders[0].heldOut.filter { set.voxels[$0].z == z }.count == 24 * 24)
        }
        // Fold 0 holds slices 0 and 20; their neighbours 1 and 21 (other folds) are dropped, 9 and 30 kept.
        let fold0 = folds[0]
        #expect(Set(fold0.heldOut.map { set.voxels[$0].z }) == [0, 20])
        #expect(Set(fold0.training.map { set.voxels[$0].z }) == [9, 30])
    }

    @Test func volumetricGapAcrossSlices() throws {
        let set = grid(slices: [0, 4, 8, 30], size: 24)
        let folds = try #require(CrossValidation.plan(set, gap: 6, folds: 4))
        expectNoLeak(set, folds, gap: 6, sliceGap: 6)
        // Slice 4's fold can train on slice 30 only: 0 and 8 are within 6 slices.
        let fold = try #require(folds.first { $0.heldOut.contains { set.voxels[$0].z == 4 } })
        #expect(Set(fold.training.map { set.voxels[$0].z }) == [30])
    }

    @Test func aSingleSliceIsCutIntoBlocksSeparatedByTheGap() throws {
        let set = grid(slices: [7], size: 60)
        let folds = try #require(CrossValidation.plan(set, gap: 4, sliceGap: 1, folds: 3))
        #expect(folds.count == 3)
        expectNoLeak(set, folds, gap: 4, sliceGap: 1)
        for fold in folds {
            #expect(!fold.heldOut.isEmpty && !fold.training.isEmpty)
            // Held-out voxels form one strip; training voxels lie more than the gap outside it.
            let ys = fold.heldOut.map { set.voxels[$0].y }
            let strip = ys.min()!...ys.max()!
            for t in fold.training { #expect(!((strip.lowerBound - 4)...(strip.upperBound + 4)).contains(set.voxels[t].y)) }
        }
        // Every voxel is held out once.
        #expect(folds.map(\.heldOut.count).reduce(0, +) == set.count)
    }

    @Test func acceptedProposalsAreNeverScored() throws {
        var set = grid(slices: [0, 10, 20], size: 16)
        set.scored = set.voxels.map { $0.z != 10 }
        let folds = try #require(CrossValidation.plan(set, gap: 2, sliceGap: 1, folds: 3))
        for fold in folds { #expect(!fold.heldOut.contains { set.voxels[$0].z == 10 }) }
        // They still train the other folds.
        #expect(folds.contains { f in f.training.contains { set.voxels[$0].z == 10 } })
    }

    @Test func evaluateScoresHeldOutSlices() throws {
        let set = grid(slices: [0, 10, 20], size: 32)
        // One informative feature (the label with a little overlap) and one constant.
        let features: [Float] = zip(set.voxels, set.labels).flatMap { v, l in [Float(l) + Float(v.x % 3) * 0.1, 1] }
        let spec = FeatureSpec(filters: [.intensity, .edges], sigmas: [1])
        let m = try #require(try CrossValidation.evaluate(set, features: features, featureCount: 2, spec: spec,
                                                          configuration: ForestConfiguration(treeCount: 5),
                                                          classes: [ClassInfo(id: 1, name: "bone"), ClassInfo(id: 2, name: "matrix")],
                                                          gap: 3, sliceGap: 1))
        #expect(m.evaluatedVoxels == set.count)
        #expect(m.overallAccuracy == 1)
        // One class, or one slice too small to split: nothing to validate.
        let one = LabelledSet(voxels: set.voxels, labels: set.labels.map { _ in 1 })
        #expect(try CrossValidation.evaluate(one, features: features, featureCount: 2, spec: spec, configuration: ForestConfiguration(),
                                             classes: [], gap: 3) == nil)
        let dot = LabelledSet(voxels: [Index3(z: 0, y: 0, x: 0)], labels: [1])
        #expect(CrossValidation.plan(dot, gap: 1) == nil)
    }

    /// Bone painted on one slice and matrix on another: each fold trains on one class only and so
    /// scored F1 0.00 for the other, which the viewer showed as the model's quality. No fold can
    /// score such labels, so there is no score (the viewer says the labels are too few to score).
    @Test func foldsWhoseTrainingLacksAClassAreNotScored() throws {
        let set = grid(slices: [0, 10, 20], size: 32)
        let features: [Float] = zip(set.voxels, set.labels).flatMap { v, l in [Float(l) + Float(v.x % 3) * 0.1, 1] }
        let spec = FeatureSpec(filters: [.intensity, .edges], sigmas: [1])
        let classes = [ClassInfo(id: 1, name: "bone"), ClassInfo(id: 2, name: "matrix")]
        func evaluate(_ labels: [UInt8]) throws -> Metrics? {
            try CrossValidation.evaluate(LabelledSet(voxels: set.voxels, labels: labels), features: features, featureCount: 2,
                                         spec: spec, configuration: ForestConfiguration(treeCount: 5), classes: classes,
                                         gap: 3, sliceGap: 1)
        }
        // Bone on slice 0 only, matrix on slice 10 only: every fold lacks a class in training.
        let two = grid(slices: [0, 10], size: 32)
        let twoFeatures: [Float] = two.voxels.flatMap { v in [v.z == 0 ? 1 : 2, 1] }
        let split = LabelledSet(voxels: two.voxels, labels: two.voxels.map { $0.z == 0 ? 1 : 2 })
        #expect(try CrossValidation.evaluate(split, features: twoFeatures, featureCount: 2, spec: spec,
                                             configuration: ForestConfiguration(treeCount: 5), classes: classes,
                                             gap: 3, sliceGap: 1) == nil)
        // Bone on slices 0 and 10, matrix on 20: the fold holding out 20 trains on bone only, and
        // the others score; no class may come out at F1 0 for want of training voxels.
        let partial = set.voxels.map { $0.z == 20 ? UInt8(2) : 1 }
        if let m = try evaluate(partial) {
            #expect(m.perClass.values.filter { $0.support > 0 }.allSatisfy { $0.f1 > 0 }, "\(m)")
        }
        // Both classes on every slice: scored as before.
        #expect(try evaluate(set.labels) != nil)
    }
}
