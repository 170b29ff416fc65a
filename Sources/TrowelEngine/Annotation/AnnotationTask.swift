import TrowelVolume

/// An annotation task: a square patch on one slice, with its neighbours for context.
public struct AnnotationTask: Equatable, Sendable {
    public var id: Int
    public var axis: Axis
    public var slice: Int
    public var rows: Range<Int>
    public var columns: Range<Int>
    public var submitted: Bool

    public init(id: Int, axis: Axis, slice: Int, rows: Range<Int>, columns: Range<Int>, submitted: Bool = false) {
        self.id = id
        self.axis = axis
        self.slice = slice
        self.rows = rows
        self.columns = columns
        self.submitted = submitted
    }
}

extension AnnotationTask {
    /// The patch as a one-voxel-thick box of a scan of `shape`.
    public func box(in shape: Shape) -> Box {
        Box.slice(axis: axis, at: slice, of: shape, rows: rows, columns: columns)
    }
}
