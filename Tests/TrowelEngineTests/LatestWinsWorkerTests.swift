import Foundation
import Testing
@testable import TrowelEngine

@Suite struct LatestWinsWorkerTests {
    /// Collects what ran, from the worker's thread.
    final class Log: @unchecked Sendable {
        private let lock = NSLock()
        private var items: [Int] = []
        func append(_ i: Int) { lock.lock(); items.append(i); lock.unlock() }
        var all: [Int] { lock.lock(); defer { lock.unlock() }; return items }
    }

    @Test func aBurstWhileAJobRunsRunsOnlyTheLastOfIt() async throws {
        let log = Log()
        let started = DispatchSemaphore(value: 0), gate = DispatchSemaphore(value: 0)
        let worker = LatestWinsWorker<Int>(label: "test") { request, _ in
            if request == 1 {
                started.signal()
                gate.wait()   // hold the first job while the burst arrives
            }
            log.append(request)
        }
        worker.submit(1)
        started.wait()
        for i in 2...20 { worker.submit(i) }
        gate.signal()
        while worker.isBusy { try await Task.sleep(for: .milliseconds(5)) }
        #expect(log.all == [1, 20])
    }

    @Test func aRunningJobSeesWhenItIsSuperseded() async throws {
        let log = Log()
        let started = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
        let worker = LatestWinsWorker<Int>(label: "test") { request, isSuperseded in
            if request == 1 {
                started.signal()
                release.wait()
                log.append(isSuperseded() ? -1 : 1)
            } else {
                log.append(request)
            }
        }
        worker.submit(1)
        started.wait()
        worker.submit(2)
        release.signal()
        while worker.isBusy { try await Task.sleep(for: .milliseconds(5)) }
        #expect(log.all == [-1, 2])
    }
}
