import TrowelUI
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one event queue of the TUI (as in gitui and bottom): polls terminal input, the wake pipe and
/// the signal pipe on the thread that owns curses, hands every event to the app, then renders once.
///
/// Engine work must run on other threads and call `waker.wake()`: a `Task {}` started from top-level
/// code is main-actor isolated and never runs while this loop blocks in `poll`.
public struct RunLoop {
    public let backend: CursesBackend
    public let tickInterval: Duration
    /// Hand this to background work so it can wake the loop.
    public let waker: Waker
    /// After a terminating signal: exit the process with 128+signal (true), or return `.signal`.
    public var exitsOnSignal: Bool = true

    public init(backend: CursesBackend, tickInterval: Duration = .milliseconds(250)) throws(TerminalError) {
        self.backend = backend
        self.tickInterval = tickInterval
        self.waker = try Waker()
    }

    /// Calls `handle` for every event; after each batch (all pending input, so a burst of drag
    /// events renders once) calls `render` with the terminal size and draws the grid. Stops when
    /// `handle` returns `.quit`, on a terminating signal (after delivering `.signal`), or on an error;
    /// the terminal is restored in every case. `images` gives the slice panes as pixels, drawn after
    /// the cells on terminals that show images (see `CursesBackend.useGraphics`).
    @discardableResult
    public func run(handle: (LoopEvent) throws -> LoopControl,
                    render: ((width: Int, height: Int)) throws -> CellGrid,
                    images: (() throws -> [PaneImage])? = nil) throws -> LoopExit {
        defer { backend.restore() }
        let clock = ContinuousClock()
        var nextTick = clock.now.advanced(by: tickInterval)
        backend.draw(try render(backend.size), images: try images?() ?? [])
        while true {
            var descriptors = [
                pollfd(fd: backend.inputDescriptor, events: Int16(POLLIN), revents: 0),
                pollfd(fd: waker.readDescriptor, events: Int16(POLLIN), revents: 0),
            ]
            if let signals = backend.signals {
                descriptors.append(pollfd(fd: signals.readDescriptor, events: Int16(POLLIN), revents: 0))
            }
            let result = poll(&descriptors, nfds_t(descriptors.count), Self.milliseconds(until: nextTick, clock: clock))
            if result < 0 && errno != EINTR {
                throw TerminalError.cursesFailed("waiting for input failed (errno \(errno))")
            }
            if let signal = backend.signals?.pendingSignals().first {
                return try finish(after: signal, handle: handle)
            }

            var events = backend.readEvents().map(LoopEvent.input)
            let inputFlags = Int32(descriptors[0].revents)
            if events.isEmpty && inputFlags & Int32(POLLHUP | POLLERR | POLLNVAL) != 0 {
                // The terminal went away (SSH link dropped) without SIGHUP reaching us.
                return try finish(after: SIGHUP, handle: handle)
            }
            if descriptors[1].revents != 0 {
                waker.consume()
                events.append(.wake)
            }
            if clock.now >= nextTick {
                events.append(.tick)
                nextTick = clock.now.advanced(by: tickInterval)
            }
            if events.isEmpty { continue }
            for event in events where try handle(event) == .quit { return .quit }
            backend.draw(try render(backend.size), images: try images?() ?? [])
        }
    }

    /// Lets the app save its work, restores the terminal, then exits with 128+signal or returns.
    private func finish(after signal: Int32, handle: (LoopEvent) throws -> LoopControl) throws -> LoopExit {
        defer {
            backend.restore()
            if exitsOnSignal { exit(128 + signal) }
        }
        _ = try handle(.signal(signal))
        return .signal(signal)
    }

    private static func milliseconds(until deadline: ContinuousClock.Instant, clock: ContinuousClock) -> Int32 {
        let remaining = clock.now.duration(to: deadline)
        if remaining <= .zero { return 0 }
        let (seconds, attoseconds) = remaining.components
        return Int32(clamping: seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000)
    }
}
