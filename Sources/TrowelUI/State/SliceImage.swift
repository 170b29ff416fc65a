import TrowelVolume

/// A rectangle of one slice: slice `index` across `axis`, in-plane `rows` × `columns`.
public protocol SliceRegion {
    var axis: Axis { get }
    var index: Int { get }
    var rows: Range<Int> { get }
    var columns: Range<Int> { get }
}

extension SliceRegion {
    /// True when this region holds all of `rows` × `columns` of slice `index` across `axis`.
    public func covers(axis: Axis, index: Int, rows: Range<Int>, columns: Range<Int>) -> Bool {
        self.axis == axis && self.index == index && self.rows.lowerBound <= rows.lowerBound && self.rows.upperBound >= rows.upperBound
            && self.columns.lowerBound <= columns.lowerBound && self.columns.upperBound >= columns.upperBound
    }
}

/// Raw voxel values of the visible part of one slice, read at one pyramid level.
public struct SliceImage: Equatable, Sendable, SliceRegion {
    public var axis: Axis
    /// The slice index in full-resolution voxels.
    public var index: Int
    public var level: Int
    /// The in-plane region read, in the level's voxel coordinates (rows, columns).
    public var rows: Range<Int>
    public var columns: Range<Int>
    public var values: [Float]

    public init(axis: Axis, index: Int, level: Int, rows: Range<Int>, columns: Range<Int>, values: [Float]) {
        precondition(values.count == rows.count * columns.count, "SliceImage: value count does not match the region")
        self.axis = axis
        self.index = index
        self.level = level
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    /// The value at full-resolution in-plane voxel (`row`, `column`), or nil outside the region read.
    @inline(__always)
    public func value(fullResolutionRow row: Int, column: Int) -> Float? {
        let r = row >> level, c = column >> level
        guard rows.contains(r), columns.contains(c) else { return nil }
        return values[(r - rows.lowerBound) * columns.count + (c - columns.lowerBound)]
    }

    /// True when this image holds everything `request` asks for (same pyramid level included).
    public func covers(_ request: SliceRequest) -> Bool {
        level == request.level && covers(axis: request.axis, index: request.index, rows: request.rows, columns: request.columns)
    }
}

/// A part of a slice to read: the effect the UI asks the engine to perform.
public struct SliceRequest: Equatable, Sendable, SliceRegion {
    public var axis: Axis
    public var index: Int
    public var level: Int
    public var rows: Range<Int>
    public var columns: Range<Int>
    /// Which pane wants it: 0 the main slice, ±d the context slices.
    public var offset: Int

    public init(axis: Axis, index: Int, level: Int, rows: Range<Int>, columns: Range<Int>, offset: Int = 0) {
        self.axis = axis
        self.index = index
        self.level = level
        self.rows = rows
        self.columns = columns
        self.offset = offset
    }

    /// True when what this request reads includes everything `need` asks for.
    public func covers(_ need: SliceRequest) -> Bool {
        level == need.level && covers(axis: need.axis, index: need.index, rows: need.rows, columns: need.columns)
    }

    /// The 3D box to read from pyramid level `level`, whose shape is `levelShape`.
    public func box(levelShape: Shape) -> Box {
        Box.slice(axis: axis, at: min(levelShape[axis] - 1, index >> level), of: levelShape, rows: rows, columns: columns)
    }
}

/// Labels of one whole slice at full resolution (0 = unlabelled, else a class id).
public struct LabelSlice: Equatable, Sendable {
    public var axis: Axis
    public var index: Int
    public var rows: Int
    public var columns: Int
    public var labels: [UInt8]
    /// Other sessions' authors of this slice's voxels: `owners[i]` = n means `authors[n - 1]` painted
    /// voxel i last (0: unlabelled, imported, or this session's author); nil when nobody else painted here.
    public var authors: [String] = []
    public var owners: [UInt8]?

    public init(axis: Axis, index: Int, rows: Int, columns: Int, labels: [UInt8]) {
        precondition(labels.count == rows * columns, "LabelSlice: label count does not match the plane")
        self.axis = axis
        self.index = index
        self.rows = rows
        self.columns = columns
        self.labels = labels
    }

    @inline(__always)
    public func label(row: Int, column: Int) -> UInt8 {
        guard row >= 0, row < rows, column >= 0, column < columns else { return 0 }
        return labels[row * columns + column]
    }
}
