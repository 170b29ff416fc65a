import Dispatch
import Foundation

/// Runs one job at a time on a background queue, where a new request replaces any request still
/// waiting: painting fast never piles up retrains, and the last request is always honoured.
/// `isSuperseded` lets a running job stop early once a newer request is waiting.
public final class LatestWinsWorker<Request: Sendable>: @unchecked Sendable {
    private let queue: DispatchQueue
    private let lock = NSLock()
    private var running = false
    private var waiting: Request?
    private let work: @Sendable (Request, _ isSuperseded: @escaping @Sendable () -> Bool) -> Void

    public init(label: String, work: @escaping @Sendable (Request, _ isSuperseded: @escaping @Sendable () -> Bool) -> Void) {
        queue = DispatchQueue(label: label, qos: .userInitiated)
        self.work = work
    }

    /// Asks for `request` to run; replaces one that has not started yet.
    public func submit(_ request: Request) {
        lock.lock()
        waiting = request
        let start = !running
        running = true
        lock.unlock()
        if start { queue.async { self.drain() } }
    }

    /// True while a job runs or waits.
    public var isBusy: Bool {
        lock.lock()
        defer { lock.unlock() }
        return running
    }

    private var hasWaiting: Bool {
        lock.lock()
        defer { lock.unlock() }
        return waiting != nil
    }

    private func drain() {
        while true {
            lock.lock()
            guard let next = waiting else {
                running = false
                lock.unlock()
                return
            }
            waiting = nil
            lock.unlock()
            work(next) { [weak self] in self?.hasWaiting ?? true }
        }
    }
}
