import TrowelVolume

/// Cleans up one class of a segmentation held in memory: drops small 6-connected components,
/// keeps only the largest ones, fills enclosed holes. Steps run in that order. Memory: the volume
/// (1 byte a voxel) plus one component buffer (4 bytes a voxel), about 5 bytes a voxel in all.
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

    /// Applies the chosen steps to `volume` in place.
    @discardableResult
    public func apply(to volume: inout Block<UInt8>) throws(PostProcessingError) -> Report {
        try validate()
        var report = Report()
        let classID = self.classID
        if minimumVoxels != nil || keepLargest != nil {
            let components = try ConnectedComponents(of: volume, where: { $0 == classID })
            report.componentsBefore = components.count
            var kept = components.sizes.filter { $0.value >= (minimumVoxels ?? 0) }
            if let k = keepLargest, kept.count > k {
                let largest = kept.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(k)
                kept = Dictionary(uniqueKeysWithValues: largest.map { ($0.key, $0.value) })
            }
            report.componentsRemoved = components.count - kept.count
            report.voxelsRemoved = change(&volume, components: components, to: backgroundID) { kept[$0] == nil }
        } else {
            report.componentsBefore = try ConnectedComponents(of: volume, where: { $0 == classID }).count
        }
        if fillHoles {
            let complement = try ConnectedComponents(of: volume, where: { $0 != classID })
            let open = complement.rootsTouchingBorder()
            report.holesFilled = complement.count - open.count
            report.voxelsFilled = change(&volume, components: complement, to: classID) { !open.contains($0) }
        }
        return report
    }

    /// Sets the voxels of the components whose root passes `chosen` to `value`; returns how many.
    private func change(_ volume: inout Block<UInt8>, components: ConnectedComponents, to value: UInt8,
                        where chosen: (Int32) -> Bool) -> Int {
        var changed = 0
        volume.elements.withUnsafeMutableBufferPointer { v in
            components.roots.withUnsafeBufferPointer { roots in
                for i in 0..<v.count where roots[i] >= 0 && chosen(roots[i]) {
                    v[i] = value
                    changed += 1
                }
            }
        }
        return changed
    }
}
