import TrowelUI

/// What the run loop delivers to the app, always on the thread that owns the terminal.
public enum LoopEvent: Hashable, Sendable {
    /// A key, mouse event or resize.
    case input(InputEvent)
    /// Another thread called `Waker.wake()` (engine results are waiting).
    case wake
    /// The tick interval passed (progress bars, debounced work).
    case tick
    /// SIGTERM, SIGHUP (or a hung-up terminal) or SIGINT: save work now; the loop then restores the
    /// terminal and ends.
    case signal(Int32)
}

/// The app's answer to an event.
public enum LoopControl: Hashable, Sendable {
    case `continue`
    case quit
}

/// Why `RunLoop.run` returned.
public enum LoopExit: Hashable, Sendable {
    /// The app answered `.quit`.
    case quit
    /// A terminating signal arrived (only returned when `exitsOnSignal` is false).
    case signal(Int32)
}
