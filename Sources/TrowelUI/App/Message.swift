import TrowelEngine
/// Everything that can change the state: input, and the results of effects the engine performed.
public enum Message: Sendable {
    case input(InputEvent)
    case sliceLoaded(SliceImage, offset: Int)
    case labelsLoaded(LabelSlice, counts: [Int: Int], canUndo: Bool, canRedo: Bool)
    case classesLoaded([ClassStyle])
    case taskStarted(AnnotationTask)
    case tasksLoaded([AnnotationTask])
    case notice(String)
    case failure(String)
    case tick
}
