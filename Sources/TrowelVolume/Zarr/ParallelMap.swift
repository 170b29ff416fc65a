import Dispatch

/// Runs a throwing job for each element on all cores and returns results in order; the first
/// error (in element order) is rethrown after every job has finished.
enum ParallelMap {
    static func run<Element: Sendable, Result: Sendable>(
        _ elements: [Element], _ job: @Sendable (Element) throws(ZarrError) -> Result
    ) throws(ZarrError) -> [Result] {
        if elements.count <= 1 { return try elements.map { (e) throws(ZarrError) in try job(e) } }
        let slots = Locked([Swift.Result<Result, ZarrError>?](repeating: nil, count: elements.count))
        DispatchQueue.concurrentPerform(iterations: elements.count) { i in
            let r: Swift.Result<Result, ZarrError>
            do throws(ZarrError) { r = .success(try job(elements[i])) } catch { r = .failure(error) }
            slots.withLock { $0[i] = r }
        }
        let results = slots.withLock { $0 }
        var out: [Result] = []
        out.reserveCapacity(results.count)
        for r in results {
            switch r {
            case .success(let v)?: out.append(v)
            case .failure(let e)?: throw e
            case nil: break
            }
        }
        return out
    }
}
