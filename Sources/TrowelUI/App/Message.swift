import TrowelEngine
/// Everything that can change the state: input, and the results of effects the engine performed.
public enum Message: Sendable {
    case input(InputEvent)
    /// A 3D frame the driver rendered.
    case rendered3D(Rendered3D)
    case sliceLoaded(SliceImage, offset: Int)
    case labelsLoaded(LabelSlice, counts: [Int: Int], canUndo: Bool, canRedo: Bool)
    case classesLoaded([ClassStyle])
    case taskStarted(AnnotationTask)
    case tasksLoaded([AnnotationTask])
    case trainingProgress(phase: String, fraction: Double)
    case modelTrained(ModelSummary)
    /// Training ended without a model (e.g. only one class is painted): why.
    case trainingStopped(String)
    /// The background comparison of recipes ended: the best one by held-out score, and how far it is
    /// above the model before it (nil when that model stays).
    case recipeChosen(String, margin: Double?)
    case modelsLoaded([ModelSummary], current: String?)
    case predictionLoaded(Prediction)
    case proposalLoaded(Proposal)
    case jobUpdated(JobStatus)
    case segmentationsLoaded([String])
    /// Label interpolation: a command, or an answer of its background job.
    case interpolation(InterpolationEvent)
    /// The taxon panel: a command, or an answer of the background identifier.
    case identify(IdentifyEvent)
    /// The HTTP server of `:serve`: a command, or the driver's answer.
    case serve(ServeState.Event)
    /// Other sessions on the project: what a poll of the stroke log found.
    case collab(CollabState.Event)
    /// Section matching: a command, or the background search's answer.
    case match(MatchEvent)
    /// Go to this slice (e.g. the one with the most uncertain voxels).
    case goToSlice(Int)
    case notice(String)
    case failure(String)
    case tick
}
