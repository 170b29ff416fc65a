import TrowelVolume

/// Cleans up one class of a segmentation: drops small 6-connected components, keeps only the
/// largest ones, fills enclosed holes. Steps run in that order. Works block by block (`run`), on a
/// segmentation in memory (`apply(to:)`) or on disk (`apply(from:to:…)`); memory is bounded by a
/// block plus tables that grow with the number of components, not by the volume.
public struct PostProcessing: Sendable, Equatable {
    /// The class cleaned up.
    public var classID: UInt8
    /// The class removed voxels become; by default 2, "matrix" in a new project (0 would read as
    /// "not segmented").
    public var backgroundID: UInt8 = 2
    /// Components of the class with fewer voxels become `backgroundID`; nil keeps all.
    public var minimumVoxels: Int?
    /// Only the `keepLargest` largest components stay (ties by first voxel); nil keeps all.
    public var keepLargest: Int?
    /// Voxels of other classes enclosed by the class (not 6-connected to the volume's faces
    /// through non-class voxels) become the class.
    public var fillHoles = false

    public init(classID: UInt8, backgroundID: UInt8 = 2, minimumVoxels: Int? = nil, keepLargest: Int? = nil,
                fillHoles: Bool = false) {
        self.classID = classID
        self.backgroundID = backgroundID
        self.minimumVoxels = minimumVoxels
        self.keepLargest = keepLargest
        self.fillHoles = fillHoles
    }

    /// What a run changed.
    public struct Report: Sendable, Equatable {
        /// Components of the class before any step.
        public var componentsBefore = 0
        /// Components removed by `minimumVoxels` and `keepLargest`.
        public var componentsRemoved = 0
        /// Voxels turned into `backgroundID`.
        public var voxelsRemoved = 0
        /// Enclosed holes filled.
        public var holesFilled = 0
        /// Voxels turned into the class by filling holes.
        public var voxelsFilled = 0
    }

    /// Throws unless at least one step is chosen and the counts are positive.
    public func validate() throws(PostProcessingError) {
        guard minimumVoxels != nil || keepLargest != nil || fillHoles else { throw .nothingToDo }
        if let n = minimumVoxels, n < 1 { throw .badCount(option: "--min-size", value: n) }
        if let k = keepLargest, k < 1 { throw .badCount(option: "--keep-largest", value: k) }
    }

    /// Applies the chosen steps to `volume` in place, in blocks of `blockSide` (nil: the whole
    /// volume as one block). The result and report do not depend on the block side.
    @discardableResult
    public func apply(to volume: inout Block<UInt8>, blockSide: Int? = nil) throws(PostProcessingError) -> Report {
        try validate()
        let grid = try Self.grid(volume.shape, side: blockSide ?? max(1, volume.shape.largestSide))
        // Move the voxels into the wrapper (no copy) and back.
        var labels = InMemoryLabels(volume: Block(shape: Shape(z: 0, y: 0, x: 0), elements: []))
        swap(&labels.volume, &volume)
        defer { swap(&labels.volume, &volume) }
        return run(on: &labels, grid: grid)
    }

    /// The blocks of side `side` that tile `shape`; throws if a block is too large to label.
    static func grid(_ shape: Shape, side: Int) throws(PostProcessingError) -> BlockGrid {
        guard side >= 1 else { throw .badBlockSize(side) }
        let grid: BlockGrid
        do { grid = try BlockGrid(shape: shape, side: side) } catch { throw .badBlockSize(side) }
        let largest = grid.count == 0 ? 0 : grid.box(0).shape.voxelCount
        guard largest <= BlockComponents.maximumVoxels else { throw .tooLarge(voxels: largest) }
        return grid
    }

    /// The chosen steps over `volume`, block by block in `grid`'s order, in up to three sweeps that
    /// each read every block once:
    ///
    /// 1. label the class, join components across block faces, tally sizes and first voxels, and
    ///    decide which components `minimumVoxels` and `keepLargest` remove;
    /// 2. (fill-holes after a removal) relabel the class, remove, then label the voxels that are
    ///    not the class, join across faces and note the components touching the volume's faces;
    ///    without a removal sweep 1 does this on the voxels as read;
    /// 3. relabel, remove and fill each block and write it.
    ///
    /// A block's components get the same numbers in every sweep, so a sweep finds the decisions of
    /// the earlier ones through the per-block offsets. Memory: a block's voxels and labels (about
    /// 10 bytes a voxel of one block) plus tables proportional to the components per block.
    func run<Volume: PostProcessingVolume>(on volume: inout Volume, grid: BlockGrid) throws(Volume.Failure) -> Report {
        var report = Report()
        let removes = minimumVoxels != nil || keepLargest != nil
        let classMembers = BlockComponents.Membership(value: classID, equal: true)
        let otherMembers = BlockComponents.Membership(value: classID, equal: false)

        // Sweep 1: the class's components (and, with nothing to remove, the others' too).
        var classParts = BlockwiseComponents(grid: grid)
        var otherParts = fillHoles && !removes ? BlockwiseComponents(grid: grid) : nil
        for b in 0..<grid.count {
            let block = try volume.read(grid.box(b))
            classParts.add(BlockComponents(of: block, members: classMembers))
            otherParts?.add(BlockComponents(of: block, members: otherMembers))
        }
        let classOffsets = classParts.offsets
        let classes = classParts.finish()
        report.componentsBefore = classes.count

        var removedNodes: [Bool] = []
        if removes {
            var kept = classes.sizes.indices.filter { classes.sizes[$0] >= (minimumVoxels ?? 0) }
            if let k = keepLargest, kept.count > k {
                // Larger first; between equal sizes, the one whose first voxel comes first.
                kept = Array(kept.sorted {
                    classes.sizes[$0] != classes.sizes[$1] ? classes.sizes[$0] > classes.sizes[$1]
                        : classes.firstVoxels[$0] < classes.firstVoxels[$1]
                }.prefix(k))
            }
            var removed = [Bool](repeating: true, count: classes.count)
            for c in kept { removed[c] = false }
            report.componentsRemoved = classes.count - kept.count
            report.voxelsRemoved = classes.sizes.indices.reduce(0) { $0 + (removed[$1] ? classes.sizes[$1] : 0) }
            removedNodes = classes.componentOfNode.map { removed[$0] }
        }
        /// `block` (number `b`) after the removal step.
        func removing(_ block: inout Block<UInt8>, _ b: Int) {
            guard removes else { return }
            let parts = BlockComponents(of: block, members: classMembers)
            let offset = classOffsets[b], background = backgroundID
            parts.labels.withUnsafeBufferPointer { labels in
                block.elements.withUnsafeMutableBufferPointer { v in
                    for i in 0..<v.count where labels[i] >= 0 && removedNodes[offset + Int(labels[i])] { v[i] = background }
                }
            }
        }

        // Sweep 2: the components of everything but the class after removal; holes are those not
        // touching the volume's faces.
        var otherOffsets: [Int] = []
        var filledNodes: [Bool] = []
        if fillHoles {
            if otherParts == nil {
                var parts = BlockwiseComponents(grid: grid)
                for b in 0..<grid.count {
                    var block = try volume.read(grid.box(b))
                    removing(&block, b)
                    parts.add(BlockComponents(of: block, members: otherMembers))
                }
                otherParts = parts
            }
            otherOffsets = otherParts!.offsets
            let others = otherParts!.finish()
            otherParts = nil
            let holes = others.touchesBorder.map { !$0 }
            report.holesFilled = holes.lazy.filter { $0 }.count
            report.voxelsFilled = others.sizes.indices.reduce(0) { $0 + (holes[$1] ? others.sizes[$1] : 0) }
            filledNodes = others.componentOfNode.map { holes[$0] }
        }

        // Sweep 3: apply the decisions and write.
        for b in 0..<grid.count {
            let box = grid.box(b)
            var block = try volume.read(box)
            removing(&block, b)
            if fillHoles {
                let parts = BlockComponents(of: block, members: otherMembers)
                let offset = otherOffsets[b], classID = self.classID
                parts.labels.withUnsafeBufferPointer { labels in
                    block.elements.withUnsafeMutableBufferPointer { v in
                        for i in 0..<v.count where labels[i] >= 0 && filledNodes[offset + Int(labels[i])] { v[i] = classID }
                    }
                }
            }
            try volume.write(block, at: box.lower)
        }
        return report
    }
}
