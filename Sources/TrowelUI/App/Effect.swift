import TrowelEngine
import TrowelVolume

/// Side effects `update` asks for; the driver performs them and answers with messages.
public enum Effect: Equatable, Sendable {
    case loadSlice(SliceRequest)
    case loadLabels(axis: Axis, index: Int)
    /// Paint dabs; `newStroke` starts an undoable stroke.
    case paint([PaintDab], newStroke: Bool)
    /// The stroke is over: persist it.
    case endStroke
    case undo
    case redo
    case newTask(axis: Axis, size: Int)
    case submitTask(Int)
    case addClass(name: String, color: RGB?)
    case renameClass(id: Int, name: String)
    case recolorClass(id: Int, color: RGB)
    /// Train a model on the labels as they are now (background, latest request wins).
    case train
    /// Predict a region of a slice with the current model (background, latest request wins).
    case predict(PreviewRegion)
    /// Ask the current model to propose labels for a task's patch.
    case propose(taskID: Int, modelID: String)
    /// Accept the proposal the user was shown (fills what they left unlabelled), then submit its task.
    case acceptProposal(Proposal)
    /// Segment the whole scan with a model, in the background.
    case segment(modelID: String)
    /// Stop a background job between blocks (finished blocks are kept).
    case cancelJob(Int)
    /// Read a finished segmentation's labels on one slice (whole slice, full resolution).
    case loadSegmentation(id: String, axis: Axis, index: Int)
    /// Find the slice across `axis` with the most uncertain voxels of a segmentation written with probabilities.
    case findUncertainSlice(id: String, axis: Axis)
    case listSegmentations
    /// Interpolate the labelled slices (random walker) in the background; writes a segmentation.
    case interpolate
    /// Read one slice of an interpolation's segmentation for the overlay.
    case loadInterpolation(id: String, axis: Axis, index: Int)
    /// Load a taxon model (`trowel identify train`) for the taxon panel, and identify the specimen with it.
    case loadTaxonModel(String)
    /// The taxa of one slice with the taxon model (background, latest request wins).
    case identifySlice(axis: Axis, index: Int)
    /// Serve the project read-only over HTTP (neuroglancer, zarr-python) on this port, in the background.
    case serve(port: Int)
    case stopServing
    /// Locate an image file in the scan (`SectionLocator`, in the background).
    case match(file: String)
    /// Pre-fill the slice's unlabelled voxels from its own Otsu threshold, as one undoable
    /// accepted proposal (they train models but are never scored).
    case thresholdSlice(axis: Axis, index: Int)
    /// Take in what other sessions painted, trained and started since the last poll.
    case pollCollaborators
    /// Make a saved model the current one.
    case useModel(String)
    /// Ray-cast a 3D frame of the scan and its labels.
    case render3D(View3DRequest)
    case redraw
    case quit
}

/// A region of one slice, full-resolution in-plane coordinates, to predict.
public struct PreviewRegion: Equatable, Sendable, SliceRegion {
    public var axis: Axis
    public var index: Int
    public var rows: Range<Int>
    public var columns: Range<Int>
    public var modelID: String

    public init(axis: Axis, index: Int, rows: Range<Int>, columns: Range<Int>, modelID: String) {
        self.axis = axis
        self.index = index
        self.rows = rows
        self.columns = columns
        self.modelID = modelID
    }
}
