import Foundation
import Testing
import TrowelML
import TrowelVolume
@testable import TrowelEngine

/// A noisy bright ball (class 1) in a darker matrix (class 2), uint8, with its truth.
struct NoisyBall: SliceSource {
    let shape: Shape
    let radius: Double
    var dtype: DType { .u8 }
    var summary: String { "noisy ball" }

    func inside(_ z: Int, _ y: Int, _ x: Int) -> Bool {
        let c = (Double(shape.z - 1) / 2, Double(shape.y - 1) / 2, Double(shape.x - 1) / 2)
        let d = (Double(z) - c.0, Double(y) - c.1, Double(x) - c.2)
        return d.0 * d.0 + d.1 * d.1 + d.2 * d.2 < radius * radius
    }

    func truthSlices(_ range: Range<Int>) -> Block<UInt8> {
        var b = Block<UInt8>(shape: Shape(z: range.count, y: shape.y, x: shape.x), repeating: 2)
        for z in range { for y in 0..<shape.y { for x in 0..<shape.x where inside(z, y, x) { b[z - range.lowerBound, y, x] = 1 } } }
        return b
    }

    func readSlices(_ range: Range<Int>) throws -> AnyBlock {
        var b = Block<UInt8>(shape: Shape(z: range.count, y: shape.y, x: shape.x), repeating: 0)
        for z in range {
            for y in 0..<shape.y {
                for x in 0..<shape.x {
                    // Deterministic hash noise, about ±30 grey levels on a contrast of 100.
                    var h = UInt64(truncatingIfNeeded: (z * 73_856_093) ^ (y * 19_349_663) ^ (x * 83_492_791))
                    h = (h ^ (h >> 13)) &* 0x5bd1_e995
                    let noise = Double(h % 61) - 30
                    b[z - range.lowerBound, y, x] = UInt8(clamping: Int((inside(z, y, x) ? 170 : 70) + noise))
                }
            }
        }
        return .u8(b)
    }
}

/// A source's truth, only on `slices` (dense), 0 elsewhere: what a user who labels every n-th slice paints.
struct SliceLabels: SliceSource {
    let shape: Shape
    let slices: Set<Int>
    let truth: @Sendable (Range<Int>) -> Block<UInt8>
    var dtype: DType { .u8 }
    var summary: String { "slice labels" }

    func readSlices(_ range: Range<Int>) throws -> AnyBlock {
        var b = truth(range)
        let plane = shape.y * shape.x
        for i in b.elements.indices where !slices.contains(range.lowerBound + i / plane) { b.elements[i] = 0 }
        return .u8(b)
    }
}

@Suite(.serialized) struct LabelInterpolationTests {
    let parent = FileManager.default.temporaryDirectory.appendingPathComponent("trowel-interp-\(UUID().uuidString)")

    func makeProject(_ source: SliceSource, name: String = "p.trowel") throws -> Project {
        try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        var options = VolumeImporter.Options()
        options.chunk = 16
        return try ProjectBuilder(importOptions: options).build(from: source, at: parent.appendingPathComponent(name)).0
    }

    static func dice(_ result: Block<UInt8>, _ truth: Block<UInt8>, class k: UInt8, slices: [Int]) -> Double {
        let plane = truth.shape.y * truth.shape.x
        var both = 0, a = 0, b = 0
        for z in slices {
            for i in (z * plane)..<((z + 1) * plane) {
                let x = result.elements[i] == k, y = truth.elements[i] == k
                if x { a += 1 }
                if y { b += 1 }
                if x && y { both += 1 }
            }
        }
        return 2 * Double(both) / Double(max(1, a + b))
    }

    @Test func ballLabelledOnThreeSlicesIsRecoveredBetweenThem() throws {
        defer { try? FileManager.default.removeItem(at: parent) }
        let ball = NoisyBall(shape: Shape(z: 40, y: 40, x: 40), radius: 13)
        let project = try makeProject(ball)
        let labelled = [12, 19, 26]
        try LabelImport(project: project).run(from: SliceLabels(shape: ball.shape, slices: Set(labelled), truth: ball.truthSlices),
                                              file: "slices", mapping: .classIDs)
        let truth = ball.truthSlices(0..<40)
        let between = (12...26).filter { !labelled.contains($0) }
        for factor in [1, 2] {
            let result = try LabelInterpolation(project: project, options: .init(downsample: factor, id: "interp-\(factor)")).run()
            #expect(result.converged)
            #expect(result.labelledSlices == labelled)
            #expect(result.regionLower == [12, 0, 0] && result.regionUpper == [27, 40, 40])
            #expect(result.gridShape == [15, 40 / factor, 40 / factor])
            let store = SegmentationStore(projectURL: project.url, id: result.segmentation)
            #expect(store.isComplete)
            let seg = try store.readWhole()
            let d = Self.dice(seg, truth, class: 1, slices: between)
            #expect(d >= 0.95, "downsample \(factor): Dice \(d)")
            // Painted voxels keep their label; outside the labelled z range nothing is claimed.
            #expect(seg[19, 20, 20] == 1 && seg[19, 0, 0] == 2)
            #expect(seg.cropped(to: Box(z: 0..<12, y: 0..<40, x: 0..<40)).elements.allSatisfy { $0 == 0 })
            #expect(seg.cropped(to: Box(z: 27..<40, y: 0..<40, x: 0..<40)).elements.allSatisfy { $0 == 0 })
            // Provenance beside the voxels (dates are written to the second).
            let recorded = LabelInterpolation.provenance(of: store)
            #expect(recorded?.segmentation == result.segmentation && recorded?.iterations == result.iterations
                    && recorded?.labelledSlices == labelled && recorded?.classes == result.classes)
        }
    }

    @Test func structureLabelledEightSlicesApartComesBack() throws {
        defer { try? FileManager.default.removeItem(at: parent) }
        let ball = NoisyBall(shape: Shape(z: 32, y: 40, x: 40), radius: 14)
        let project = try makeProject(ball)
        let labelled = [8, 16, 24]
        try LabelImport(project: project).run(from: SliceLabels(shape: ball.shape, slices: Set(labelled), truth: ball.truthSlices),
                                              file: "slices", mapping: .classIDs)
        let result = try LabelInterpolation(project: project, options: .init(downsample: 2)).run()
        #expect(result.segmentation.hasPrefix("interp-"))
        let seg = try SegmentationStore(projectURL: project.url, id: result.segmentation).readWhole()
        let between = (8...24).filter { !labelled.contains($0) }
        let d = Self.dice(seg, ball.truthSlices(0..<32), class: 1, slices: between)
        #expect(d >= 0.9, "Dice \(d)")
        #expect(result.classes.map(\.name) == ["bone", "matrix"])
        let total: Int = result.classes.map(\.voxels).reduce(0, +)
        #expect(total == 27_200)   // 17 slices × 40 × 40
    }

    @Test func refusesWithoutTwoLabelledClasses() throws {
        defer { try? FileManager.default.removeItem(at: parent) }
        let ball = NoisyBall(shape: Shape(z: 16, y: 16, x: 16), radius: 5)
        let project = try makeProject(ball)
        #expect(throws: InterpolationError.noLabels(project.url.path)) { try LabelInterpolation(project: project).run() }
        let onlyMatrix: @Sendable (Range<Int>) -> Block<UInt8> = { r in Block(shape: Shape(z: r.count, y: 16, x: 16), repeating: 2) }
        try LabelImport(project: project).run(from: SliceLabels(shape: ball.shape, slices: [3, 9], truth: onlyMatrix),
                                              file: "m", mapping: .classIDs)
        #expect(throws: InterpolationError.tooFewClasses(["matrix"])) { try LabelInterpolation(project: project).run() }
        #expect(throws: InterpolationError.badOption("--downsample must be at least 1")) {
            try LabelInterpolation(project: project, options: .init(downsample: 0)).run()
        }
    }

    @Test func aRunCanAskForTwoSlicesReportsItsStepsAndStopsWhenCancelled() throws {
        defer { try? FileManager.default.removeItem(at: parent) }
        let ball = NoisyBall(shape: Shape(z: 16, y: 24, x: 24), radius: 7)
        let project = try makeProject(ball)
        try LabelImport(project: project).run(from: SliceLabels(shape: ball.shape, slices: [8], truth: ball.truthSlices),
                                              file: "one", mapping: .classIDs)
        let twoSlices = LabelInterpolation.Options(minimumSlices: 2)
        #expect(throws: InterpolationError.tooFewSlices(labelled: [8], needed: 2)) {
            try LabelInterpolation(project: project, options: twoSlices).run()
        }
        #expect(SegmentationStore.ids(in: project.url).isEmpty)
        try LabelImport(project: project).run(from: SliceLabels(shape: ball.shape, slices: [4, 8, 12], truth: ball.truthSlices),
                                              file: "three", mapping: .classIDs)

        // Cancelled at the start, or once it is solving: nothing is written.
        #expect(throws: InterpolationError.cancelled) {
            try LabelInterpolation(project: project, options: twoSlices).run(isCancelled: { true })
        }
        var phases: [String] = []
        #expect(throws: InterpolationError.cancelled) {
            try LabelInterpolation(project: project, options: twoSlices).run(progress: { phases.append($0.phase) },
                                                                             isCancelled: { phases.contains { $0.hasPrefix("solving") } })
        }
        #expect(phases.count == 3 && phases.last?.hasPrefix("solving") == true, "\(phases)")
        #expect(SegmentationStore.ids(in: project.url).isEmpty, "a cancelled run writes nothing")

        // Run to the end: phases count up to the last step, one per gap while refining.
        var steps: [LabelInterpolation.Progress] = []
        let result = try LabelInterpolation(project: project, options: twoSlices).run(progress: { steps.append($0) })
        #expect(result.labelledSlices == [4, 8, 12])
        #expect(steps.map(\.done) == [0, 1, 2, 3, 4, 5] && steps.dropFirst().allSatisfy { $0.total == 6 }, "\(steps)")
        #expect(steps[3].phase == "refining gap 1 of 2 at full resolution" && steps[5].phase.hasPrefix("writing segmentation interp-"))
        #expect(SegmentationStore(projectURL: project.url, id: result.segmentation).isComplete)
    }
}
