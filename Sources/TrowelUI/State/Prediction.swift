import TrowelVolume

/// The model's hypothesis for part of one slice: predicted class, class probabilities and
/// uncertainty (ensemble margin 1 − (p1 − p2)) per voxel, full-resolution in-plane coordinates.
public struct Prediction: Equatable, Sendable, SliceRegion {
    public var axis: Axis
    public var index: Int
    public var rows: Range<Int>
    public var columns: Range<Int>
    public var modelID: String
    /// Class ids, in the order of each voxel's probabilities.
    public var classIDs: [Int]
    public var labels: [UInt8]
    /// `classIDs.count` values per voxel, voxel-major.
    public var probabilities: [Float]
    public var uncertainty: [Float]

    public init(axis: Axis, index: Int, rows: Range<Int>, columns: Range<Int>, modelID: String, classIDs: [Int],
                labels: [UInt8], probabilities: [Float], uncertainty: [Float]) {
        self.axis = axis
        self.index = index
        self.rows = rows
        self.columns = columns
        self.modelID = modelID
        self.classIDs = classIDs
        self.labels = labels
        self.probabilities = probabilities
        self.uncertainty = uncertainty
    }

    @inline(__always)
    func offset(row: Int, column: Int) -> Int? {
        guard rows.contains(row), columns.contains(column) else { return nil }
        return (row - rows.lowerBound) * columns.count + (column - columns.lowerBound)
    }

    /// Predicted class at a full-resolution in-plane voxel (0 outside the region).
    @inline(__always)
    public func label(row: Int, column: Int) -> UInt8 {
        offset(row: row, column: column).map { labels[$0] } ?? 0
    }

    public func uncertainty(row: Int, column: Int) -> Float? {
        guard uncertainty.count == labels.count else { return nil }
        return offset(row: row, column: column).map { uncertainty[$0] }
    }

    /// Each class's probability at a voxel, in `classIDs` order.
    public func probabilities(row: Int, column: Int) -> [(id: Int, p: Float)]? {
        guard !classIDs.isEmpty, probabilities.count == labels.count * classIDs.count,
              let o = offset(row: row, column: column) else { return nil }
        let k = classIDs.count
        return (0..<k).map { (classIDs[$0], probabilities[o * k + $0]) }
    }
}

/// Held-out scores of one class.
public struct ClassScores: Equatable, Sendable {
    public var precision: Double
    public var recall: Double
    public var f1: Double
    public var jaccard: Double
    public var accuracy: Double

    public init(precision: Double, recall: Double, f1: Double, jaccard: Double, accuracy: Double) {
        self.precision = precision
        self.recall = recall
        self.f1 = f1
        self.jaccard = jaccard
        self.accuracy = accuracy
    }
}

/// What the screen shows about a trained model.
public struct ModelSummary: Equatable, Sendable {
    public var id: String
    /// Cross-validated scores per class id (nil when there was too little to hold out).
    public var scores: [Int: ClassScores]?
    /// Cross-validated F1 per class id.
    public var f1: [Int: Double]? { scores?.mapValues(\.f1) }
    public var accuracy: Double?
    /// Out-of-bag error: optimistic, since neighbouring voxels leak between trees' samples.
    public var oobError: Double?
    public var trainingVoxels: Int
    public var seconds: Double?
    /// The recipe that made it (empty when unknown, e.g. a model from before recipes were recorded).
    public var recipe: String

    public init(id: String, scores: [Int: ClassScores]?, accuracy: Double?, oobError: Double?, trainingVoxels: Int,
                seconds: Double? = nil, recipe: String = "") {
        self.recipe = recipe
        self.id = id
        self.scores = scores
        self.accuracy = accuracy
        self.oobError = oobError
        self.trainingVoxels = trainingVoxels
        self.seconds = seconds
    }
}

/// How the hypothesis is drawn over the slice.
public enum PredictionStyle: String, CaseIterable, Sendable {
    case fill, outline, off
}

/// The model's proposal for a task's patch, shown dotted until the user accepts it (Enter).
public struct Proposal: Equatable, Sendable {
    public var taskID: Int
    public var modelID: String
    public var axis: Axis
    public var slice: Int
    public var rows: Range<Int>
    public var columns: Range<Int>
    /// Class per voxel of the patch, row-major.
    public var labels: [UInt8]

    public init(taskID: Int, modelID: String, axis: Axis, slice: Int, rows: Range<Int>, columns: Range<Int>, labels: [UInt8]) {
        self.taskID = taskID
        self.modelID = modelID
        self.axis = axis
        self.slice = slice
        self.rows = rows
        self.columns = columns
        self.labels = labels
    }

    @inline(__always)
    public func label(row: Int, column: Int) -> UInt8 {
        guard rows.contains(row), columns.contains(column) else { return 0 }
        return labels[(row - rows.lowerBound) * columns.count + (column - columns.lowerBound)]
    }
}
