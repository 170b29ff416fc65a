import Foundation
import TrowelVolume

/// Why an image cannot be matched (the engine adds the file's name).
public enum SectionMatchError: Error, Equatable, CustomStringConvertible {
    case tooSmall(height: Int, width: Int)
    case flat
    case noShape

    public var description: String {
        switch self {
        case .tooSmall(let h, let w): return "the image is \(w)×\(h) pixels; it needs at least 16×16"
        case .flat: return "the image is empty or of one grey value; there is nothing to match"
        case .noShape: return "Otsu's threshold finds no shape in the image (fewer than 8 pixels above it)"
        }
    }
}

/// Finds where a 2D image (a thin section, a slice of another scan of the specimen) lies in a scan,
/// coarse to fine. Coarse: every slice across the chosen axes at a pyramid level about
/// `coarseSide` pixels wide is compared with the image by the shape of their Otsu masks — the
/// Dice of the masks (centroids aligned, scaled to equal area, best of 90 rotations) and the
/// distance of their Hu invariants — and the best `coarseCandidates` places are kept. Fine: for
/// each, a sweep of the full circle in 10° steps, then a compass search over angle, scale
/// (within ±25 % of the area's estimate) and translation climbing NCC of grey values; the best
/// `fineCandidates` descend the pyramid level by level (each slice's two children and their
/// neighbours, refined again) to full resolution, where they are refined a last time at the finer
/// of the image's and the scan's resolution and scored by SSIM, NCC and Dice. Ranked by
/// (NCC + SSIM) / 2; places within two slices of a better one on the same axis are dropped.
/// Limits: slices across the volume's axes only (no oblique planes), no mirror images, and the
/// image should show the specimen whole (the scale and position start from its mask).
public struct SectionMatcher: Sendable {
    public struct Options: Sendable {
        public var axes: [Axis] = Axis.allCases
        public var top = 5
        public var coarseSide = 128
        public var coarseCandidates = 20
        public var fineCandidates = 8
        /// Largest side of the image while the fine search climbs.
        public var workingSide = 160
        /// Largest side of the image for the last refinement and the reported scores.
        public var finalSide = 512
        /// The fine search keeps the scale within the area's estimate ×/÷ this.
        public var scaleRange = 1.25
        public init() {}
    }

    public let options: Options
    public init(options: Options = Options()) { self.options = options }

    /// A place under consideration: slice `index` across `axis` at pyramid `level`.
    struct Candidate {
        var axis: Axis
        var index: Int
        var level: Int
        var pose: SectionPose
        /// The scale the coarse pass estimated from the mask areas (the search stays near it).
        var scaleEstimate: Double
        var score: Double
    }

    /// The best places for `image` in `source`, best first (at most `options.top`).
    public func match(_ image: GreyPlane, in source: SectionSource) throws -> [SectionMatch] {
        guard image.height >= 16, image.width >= 16 else { throw SectionMatchError.tooSmall(height: image.height, width: image.width) }
        let range = image.range
        guard range.upperBound > range.lowerBound, range.lowerBound.isFinite, range.upperBound.isFinite else { throw SectionMatchError.flat }
        let pyramid = try ImagePyramid(image, shapeSide: options.coarseSide)
        var candidates = try coarse(pyramid, source)
        guard !candidates.isEmpty else { return [] }
        let coarseLevel = candidates[0].level
        Self.trace("coarse", candidates)
        candidates = try refine(candidates, pyramid, source, sweep: true)
        Self.trace("fine", candidates)
        for level in stride(from: coarseLevel - 1, through: 0, by: -1) {
            candidates = try descend(candidates, to: level, pyramid, source)
            Self.trace("level \(level)", candidates)
        }
        // Neighbouring slices were suppressed as near-duplicates on the way; the best of each
        // candidate and its two neighbours goes on.
        candidates = try expand(candidates, to: 0, pyramid, source) { [$0.index - 1, $0.index, $0.index + 1] }
        Self.trace("neighbours", candidates)
        return try finish(candidates, pyramid, source)
    }

    // MARK: - Coarse: mask shapes of every slice

    func coarse(_ pyramid: ImagePyramid, _ source: SectionSource) throws -> [Candidate] {
        var level = source.levelCount - 1
        while level > 0, Self.largestSide(source.shape(level: level - 1)) <= options.coarseSide { level -= 1 }
        let shape = source.shape(level: level)
        let bin = max(1, (Self.largestSide(shape) + options.coarseSide - 1) / options.coarseSide)
        let pixel = Double(1 << level) * Double(bin)
        let imageShape = pyramid.shape, imageArea = pyramid.area, imageCentroid = pyramid.centroid
        var all: [Candidate] = []
        let full = source.shape(level: 0)
        for axis in options.axes {
            let count = shape[axis]
            var planes: [GreyPlane] = []
            planes.reserveCapacity(count)
            for index in 0..<count { planes.append(try source.plane(axis: axis, index: index, level: level).boxDownsampled(by: bin)) }
            let (rows, columns) = axis.planeAxes
            let sliceSize = (height: full[rows], width: full[columns])
            let found = Self.parallelMap(count) { index -> Candidate? in
                let plane = planes[index]
                let t = Float(PoseComparison.otsuThreshold(plane.values.map(Double.init)))
                guard let shape = MaskSignature(plane, threshold: t) else { return nil }
                let (angle, dice) = imageShape.bestRotation(against: shape)
                let score = dice * Foundation.exp(-imageShape.huDistance(to: shape))
                let scale = (imageArea / (shape.area * pixel * pixel)).squareRoot()
                let centroid = (row: (shape.centroid.row + 0.5) * pixel - 0.5, column: (shape.centroid.column + 0.5) * pixel - 0.5)
                let pose = SectionPose(angle: angle, scale: scale, offset: (0, 0))
                    .aligning(imagePoint: imageCentroid, image: pyramid.fullSize, to: centroid, slice: sliceSize)
                return Candidate(axis: axis, index: index, level: level, pose: pose, scaleEstimate: scale, score: score)
            }
            all += found.compactMap { $0 }
        }
        return Self.distinct(all, radius: 1, keep: options.coarseCandidates)
    }

    // MARK: - Fine: grey values, level by level

    /// Refines every candidate at its own level (after a full-circle sweep when `sweep`), best first.
    func refine(_ candidates: [Candidate], _ pyramid: ImagePyramid, _ source: SectionSource, sweep: Bool) throws -> [Candidate] {
        let jobs = try candidates.map { try comparison(for: $0, pyramid, source, side: options.workingSide) }
        let refined = Self.parallelMap(candidates.count) { i -> Candidate in
            var c = candidates[i]
            let compare = jobs[i]
            var starts: [(SectionPose, Double)] = []
            if sweep {
                // The whole circle in 10° steps, each start centred as the coarse pose was, plus the coarse angle.
                let target = c.pose.slicePoint(row: pyramid.centroid.row, column: pyramid.centroid.column,
                                               image: pyramid.fullSize, slice: compare.sliceSize)
                for step in 0..<36 {
                    var p = c.pose
                    p.angle = c.pose.angle + Double(step) * 10
                    p = p.aligning(imagePoint: pyramid.centroid, image: pyramid.fullSize, to: target, slice: compare.sliceSize)
                    starts.append((p, compare.score(p)))
                }
                starts.sort { $0.1 > $1.1 }
                starts = Array(starts.prefix(3))
            } else {
                starts = [(c.pose, compare.score(c.pose))]
            }
            var best = (pose: c.pose, score: -Double.infinity)
            for (start, score) in starts {
                let r = compassSearch(compare, from: start, score: score, estimate: c.scaleEstimate,
                                      steps: sweep ? (5, 0.05, 1) : (2, 0.02, 1), minimum: (0.25, 0.0025, 0.25), budget: sweep ? 160 : 90)
                if r.score > best.score { best = r }
            }
            c.pose = best.pose
            c.score = best.score
            return c
        }
        return Self.distinct(refined, radius: 1, keep: options.fineCandidates)
    }

    /// Each candidate's slice at `level` (one finer): its two children and their neighbours.
    func descend(_ candidates: [Candidate], to level: Int, _ pyramid: ImagePyramid, _ source: SectionSource) throws -> [Candidate] {
        try expand(candidates, to: level, pyramid, source) { Array((2 * $0.index - 1)...(2 * $0.index + 2)) }
    }

    /// Each candidate's `children` slices at `level`, refined from its pose; the best child of
    /// each, then the best `fineCandidates` of those.
    func expand(_ candidates: [Candidate], to level: Int, _ pyramid: ImagePyramid, _ source: SectionSource,
                children indices: (Candidate) -> [Int]) throws -> [Candidate] {
        let shape = source.shape(level: level)
        var children: [Candidate] = [], parent: [Int] = []
        for (i, c) in candidates.enumerated() {
            for index in indices(c) where (0..<shape[c.axis]).contains(index) {
                var child = c
                child.index = index
                child.level = level
                children.append(child)
                parent.append(i)
            }
        }
        let refined = try refineEach(children, pyramid, source)
        var best: [Int: Candidate] = [:]
        for (k, c) in refined.enumerated() where c.score > (best[parent[k]]?.score ?? -.infinity) { best[parent[k]] = c }
        return Self.distinct(Array(best.values), radius: 1, keep: options.fineCandidates)
    }

    /// Every candidate refined from its pose (no sweep), in the order given (for `descend`).
    func refineEach(_ candidates: [Candidate], _ pyramid: ImagePyramid, _ source: SectionSource) throws -> [Candidate] {
        let jobs = try candidates.map { try comparison(for: $0, pyramid, source, side: options.workingSide) }
        return Self.parallelMap(candidates.count) { i -> Candidate in
            var c = candidates[i]
            let compare = jobs[i]
            let r = compassSearch(compare, from: c.pose, score: compare.score(c.pose), estimate: c.scaleEstimate,
                                  steps: (2, 0.02, 1), minimum: (0.25, 0.0025, 0.25), budget: 90)
            c.pose = r.pose
            c.score = r.score
            return c
        }
    }

    /// The last refinement at the finer of the image's and the scan's resolution, and the scores.
    func finish(_ candidates: [Candidate], _ pyramid: ImagePyramid, _ source: SectionSource) throws -> [SectionMatch] {
        let kept = Array(candidates.prefix(options.top + 3))
        let jobs = try kept.map { try comparison(for: $0, pyramid, source, side: options.finalSide) }
        let matches = Self.parallelMap(kept.count) { i -> SectionMatch in
            let c = kept[i], compare = jobs[i]
            let r = compassSearch(compare, from: c.pose, score: compare.score(c.pose), estimate: c.scaleEstimate,
                                  steps: (0.5, 0.005, 0.5), minimum: (0.1, 0.001, 0.1), budget: 40)
            let m = compare.metrics(r.pose)
            var pose = r.pose
            pose.angle = pose.normalisedAngle
            return SectionMatch(axis: c.axis, slice: c.index, pose: pose, ssim: m.ssim, ncc: m.ncc, dice: m.dice)
        }
        var out: [SectionMatch] = []
        for m in matches.sorted(by: { $0.score > $1.score }) {
            if out.contains(where: { $0.axis == m.axis && Swift.abs($0.slice - m.slice) <= 2 }) { continue }
            out.append(m)
            if out.count == options.top { break }
        }
        return out
    }

    // MARK: - Pieces

    /// The working grids for a candidate at its level and scale, the image side at most `side`.
    func comparison(for c: Candidate, _ pyramid: ImagePyramid, _ source: SectionSource, side: Int) throws -> PoseComparison {
        let levelPixel = Double(1 << c.level), s = c.pose.scale
        let largest = Double(max(pyramid.full.height, pyramid.full.width))
        let wanted = max(levelPixel, 1 / s, largest / (s * Double(side)))
        let bin = max(1, Int((wanted / levelPixel).rounded()))
        let slicePixel = levelPixel * Double(bin)
        let imageBin = max(1, Int((slicePixel * s).rounded()))
        let full = source.shape(level: 0)
        let (rows, columns) = c.axis.planeAxes
        let plane = try source.plane(axis: c.axis, index: c.index, level: c.level).boxDownsampled(by: bin)
        return PoseComparison(image: pyramid.binned(imageBin), imageFactor: imageBin, imageSize: pyramid.fullSize,
                              slice: ImagePyramid.normalise(plane), slicePixel: slicePixel, sliceSize: (full[rows], full[columns]))
    }

    /// Greedy compass search over (angle, log scale, dy, dx): try ± each step, move on any gain,
    /// halve the steps when none gains, until they are below `minimum` or `budget` scores are spent.
    func compassSearch(_ compare: PoseComparison, from start: SectionPose, score: Double, estimate: Double,
                       steps: (angle: Double, scale: Double, shift: Double), minimum: (angle: Double, scale: Double, shift: Double),
                       budget: Int) -> (pose: SectionPose, score: Double) {
        var pose = start, best = score
        var step = [steps.angle, steps.scale, steps.shift * compare.slicePixel, steps.shift * compare.slicePixel]
        let floor = [minimum.angle, minimum.scale, minimum.shift * compare.slicePixel, minimum.shift * compare.slicePixel]
        let lowest = Foundation.log(estimate / options.scaleRange), highest = Foundation.log(estimate * options.scaleRange)
        var spent = 0
        while spent < budget {
            var moved = false
            for k in 0..<4 {
                for sign in [1.0, -1.0] {
                    var p = pose
                    switch k {
                    case 0: p.angle += sign * step[0]
                    case 1:
                        let l = Foundation.log(p.scale) + sign * step[1]
                        guard l >= lowest, l <= highest else { continue }
                        p.scale = Foundation.exp(l)
                    case 2: p.offset.dy += sign * step[2]
                    default: p.offset.dx += sign * step[3]
                    }
                    let s = compare.score(p)
                    spent += 1
                    if s > best { best = s; pose = p; moved = true; break }
                }
            }
            if !moved {
                var finished = true
                for k in 0..<4 {
                    step[k] /= 2
                    if step[k] >= floor[k] { finished = false }
                }
                if finished { break }
            }
        }
        return (pose, best)
    }

    /// The best `keep` candidates, none within `radius` slices of a better one on the same axis and level.
    static func distinct(_ candidates: [Candidate], radius: Int, keep: Int) -> [Candidate] {
        var out: [Candidate] = []
        for c in candidates.sorted(by: { $0.score > $1.score }) {
            if out.contains(where: { $0.axis == c.axis && $0.level == c.level && Swift.abs($0.index - c.index) <= radius }) { continue }
            out.append(c)
            if out.count == keep { break }
        }
        return out
    }

    static func trace(_ what: String, _ cs: [Candidate]) {
        guard ProcessInfo.processInfo.environment["TROWEL_MATCH_TRACE"] != nil else { return }
        print(what + ": " + cs.prefix(6).map { "\($0.axis)\($0.index)@\($0.level) \(String(format: "%.1f° ×%.3f (%.1f,%.1f) %.3f", $0.pose.angle, $0.pose.scale, $0.pose.offset.dy, $0.pose.offset.dx, $0.score))" }.joined(separator: " | "))
    }

    static func largestSide(_ s: Shape) -> Int { max(s.z, s.y, s.x) }

    /// `body(i)` for i in 0..<count on all cores, results in order.
    static func parallelMap<T>(_ count: Int, _ body: (Int) -> T) -> [T] {
        var out = [T?](repeating: nil, count: count)
        out.withUnsafeMutableBufferPointer { buffer in
            guard count > 0 else { return }
            let p = SharedPointer(buffer)
            Parallel.forEach(count) { i in p[i] = body(i) }
        }
        return out.map { $0! }
    }
}
