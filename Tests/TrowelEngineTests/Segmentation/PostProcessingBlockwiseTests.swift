import Foundation
import Testing
import TrowelVolume
@testable import TrowelEngine

/// Blockwise post-processing against the whole-volume algorithm it replaced (kept here as
/// `reference`, on `ConnectedComponents`): small blocks must give the same voxels and report.
struct PostProcessingBlockwiseTests {
    /// The whole-volume post-processing as it was before it worked in blocks.
    static func reference(_ steps: PostProcessing, _ volume: inout Block<UInt8>) throws -> PostProcessing.Report {
        var report = PostProcessing.Report()
        let classID = steps.classID
        func change(_ components: ConnectedComponents, to value: UInt8, where chosen: (Int32) -> Bool) -> Int {
            var changed = 0
            for i in volume.elements.indices where components.roots[i] >= 0 && chosen(components.roots[i]) {
                volume.elements[i] = value
                changed += 1
            }
            return changed
        }
        let components = ConnectedComponents(of: volume, where: { $0 == classID })
        report.componentsBefore = components.count
        if steps.minimumVoxels != nil || steps.keepLargest != nil {
            var kept = components.sizes.filter { $0.value >= (steps.minimumVoxels ?? 0) }
            if let k = steps.keepLargest, kept.count > k {
                let largest = kept.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(k)
                kept = Dictionary(uniqueKeysWithValues: largest.map { ($0.key, $0.value) })
            }
            report.componentsRemoved = components.count - kept.count
            report.voxelsRemoved = change(components, to: steps.backgroundID) { kept[$0] == nil }
        }
        if steps.fillHoles {
            let complement = ConnectedComponents(of: volume, where: { $0 != classID })
            let open = complement.rootsTouchingBorder()
            report.holesFilled = complement.count - open.count
            report.voxelsFilled = change(complement, to: classID) { !open.contains($0) }
        }
        return report
    }

    /// A 37×41×39 volume (no side a multiple of the block sides tried) of matrix (2), with bone (1)
    /// and a little of class 3 shaped to cross block seams on every axis.
    static func constructed() -> Block<UInt8> {
        let shape = Shape(z: 37, y: 41, x: 39)
        var v = Block<UInt8>(shape: shape, repeating: 2)
        func fill(_ z: Range<Int>, _ y: Range<Int>, _ x: Range<Int>, _ value: UInt8 = 1) {
            for a in z { for b in y { for c in x { v[a, b, c] = value } } }
        }
        // A hollow shell spanning seams on all axes, its cavity crossing seams too, with a speck
        // of bone and a speck of class 3 inside the cavity.
        fill(4..<20, 5..<22, 6..<21)
        fill(5..<19, 6..<21, 7..<20, 2)
        fill(11..<12, 12..<13, 12..<14)
        fill(9..<10, 9..<10, 9..<10, 3)
        // A U joined only at its far end (z), each arm crossing x and y seams: one component that
        // the block order meets as two.
        fill(22..<36, 2..<3, 2..<30)
        fill(22..<36, 30..<31, 2..<30)
        fill(35..<36, 2..<31, 2..<3)
        // A staircase that steps across seams in z, y and x.
        for s in 0..<12 { fill((20 + s)..<(21 + s), (20 + s)..<(22 + s), (30 + s / 2)..<(33 + s / 2)) }
        // Equal 3³ cubes (ties for --keep-largest), one per block row, and single-voxel specks.
        fill(1..<4, 30..<33, 5..<8)
        fill(1..<4, 35..<38, 5..<8)
        fill(30..<33, 34..<37, 34..<37)
        for (z, y, x) in [(0, 0, 0), (36, 40, 38), (15, 38, 2), (7, 7, 34)] { v[z, y, x] = 1 }
        // A cavity whose only opening is a tunnel to the x = 0 face, crossing seams.
        fill(22..<34, 10..<26, 5..<20)
        fill(23..<33, 11..<25, 6..<19, 2)
        fill(28..<29, 18..<19, 0..<6, 2)
        // A thin shell that --min-size removes, whose cavity then joins the outside.
        fill(0..<5, 24..<29, 24..<29)
        fill(1..<4, 25..<28, 25..<28, 2)
        return v
    }

    /// Deterministic noise: each voxel bone with probability `p` (SplitMix64).
    static func noise(_ shape: Shape, p: Double, seed: UInt64) -> Block<UInt8> {
        var state = seed
        func next() -> Double {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
        }
        return Block(shape: shape, elements: (0..<shape.voxelCount).map { _ in next() < p ? 1 : 2 })
    }

    /// Voxels that differ (a count, so a failure does not print whole volumes).
    static func differing(_ a: Block<UInt8>, _ b: Block<UInt8>) -> Int {
        a.shape != b.shape ? -1 : zip(a.elements, b.elements).count { $0 != $1 }
    }

    static let stepChoices: [PostProcessing] = [
        PostProcessing(classID: 1, minimumVoxels: 20),
        PostProcessing(classID: 1, keepLargest: 2),
        PostProcessing(classID: 1, keepLargest: 4),
        // 6 and 7 cut between the equal 3³ cubes of `constructed`.
        PostProcessing(classID: 1, keepLargest: 6),
        PostProcessing(classID: 1, backgroundID: 0, keepLargest: 7),
        PostProcessing(classID: 1, fillHoles: true),
        PostProcessing(classID: 1, minimumVoxels: 28, keepLargest: 3, fillHoles: true),
        PostProcessing(classID: 1, backgroundID: 0, minimumVoxels: 100, fillHoles: true),
        PostProcessing(classID: 1, backgroundID: 1, minimumVoxels: 30, fillHoles: true),
        PostProcessing(classID: 2, backgroundID: 3, minimumVoxels: 5, keepLargest: 1, fillHoles: true),
    ]

    /// Every step choice, whole and in blocks of `sides`, against `reference`.
    static func compare(_ volume: Block<UInt8>, sides: [Int?]) throws {
        for steps in stepChoices {
            var expected = volume
            let expectedReport = try reference(steps, &expected)
            for side in sides {
                var actual = volume
                let report = try steps.apply(to: &actual, blockSide: side)
                #expect(report == expectedReport, "\(steps), block \(side.map(String.init) ?? "whole")")
                #expect(differing(actual, expected) == 0, "\(steps), block \(side.map(String.init) ?? "whole")")
            }
        }
    }

    @Test func constructedVolumeMatchesWholeVolumeInEveryBlockSize() throws {
        let volume = Self.constructed()
        // The volume really exercises the steps: ties, removals and both kinds of cavity.
        var check = volume
        let report = try Self.reference(PostProcessing(classID: 1, minimumVoxels: 28, keepLargest: 3, fillHoles: true), &check)
        #expect(report.componentsBefore >= 9 && report.componentsRemoved >= 6 && report.holesFilled >= 1)
        try Self.compare(volume, sides: [nil, 8, 16, 7, 3])
    }

    @Test func noiseMatchesWholeVolumeInEveryBlockSize() throws {
        // Many small components and holes meeting every seam.
        try Self.compare(Self.noise(Shape(z: 19, y: 23, x: 21), p: 0.45, seed: 7), sides: [nil, 8, 5, 2])
        try Self.compare(Self.noise(Shape(z: 24, y: 24, x: 24), p: 0.7, seed: 11), sides: [8, 1])
    }

    @Test func rejectsANonPositiveBlockSide() {
        var v = Block<UInt8>(shape: .cube(4), repeating: 2)
        #expect(throws: PostProcessingError.badBlockSize(0)) {
            try PostProcessing(classID: 1, fillHoles: true).apply(to: &v, blockSide: 0)
        }
    }

    @Test func defaultBlockSideKeepsWholeChunksUpTo128() {
        #expect(PostProcessing.defaultBlockSide(forSegmentationBlockSide: 512) == 128)
        #expect(PostProcessing.defaultBlockSide(forSegmentationBlockSide: 128) == 128)
        #expect(PostProcessing.defaultBlockSide(forSegmentationBlockSide: 16) == 16)
        #expect(PostProcessing.defaultBlockSide(forSegmentationBlockSide: 300) == 75)
    }

    @Test func storeToStoreMatchesInMemory() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("trowel-post-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let volume = Self.constructed()
        let shapes = [volume.shape, Downsampler.halved(volume.shape)]
        try SegmentationStore(projectURL: folder, id: "seg")
            .writeWhole(volume, blockSide: 16, levelShapes: shapes, voxelSize: .isotropic(1), workers: 2)
        let steps = PostProcessing(classID: 1, minimumVoxels: 28, keepLargest: 3, fillHoles: true)
        var expected = volume
        let expectedReport = try steps.apply(to: &expected)
        for side in [nil, 8] as [Int?] {
            let out = SegmentationStore(projectURL: folder, id: "post-\(side ?? 0)")
            let report = try steps.apply(from: SegmentationStore(projectURL: folder, id: "seg"), to: out, levelShapes: shapes,
                                         voxelSize: .isotropic(1), blockSide: side, workers: 2)
            #expect(report == expectedReport)
            #expect(out.isComplete)
            #expect(try out.blockSide() == 16)
            #expect(try Self.differing(out.readWhole(), expected) == 0)
            let halved = try ZarrArray.open(at: out.url.appendingPathComponent("1")).read(shapes[1].box, as: UInt8.self)
            #expect(Self.differing(halved, LabelDownsampler.halve(expected)) == 0)
        }
    }
}
