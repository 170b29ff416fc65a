import Foundation

/// Mutable state behind a lock, shareable across threads. (`Synchronization.Mutex` needs macOS 15;
/// the package still supports macOS 14.)
final class Locked<State>: @unchecked Sendable {
    private let lock = NSLock()
    private var state: State

    init(_ state: State) { self.state = state }

    func withLock<R>(_ body: (inout State) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&state)
    }
}
