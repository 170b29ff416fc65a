import Dispatch
import Foundation

/// A raw pointer handed to parallel workers that write disjoint parts of one buffer.
/// The only place TrowelML opts out of Sendable checking: callers guarantee the parts do not overlap.
@usableFromInline
struct SharedPointer<Element>: @unchecked Sendable {
    @usableFromInline let base: UnsafeMutablePointer<Element>

    @inlinable init(_ base: UnsafeMutablePointer<Element>) { self.base = base }
    @inlinable init(_ buffer: UnsafeMutableBufferPointer<Element>) { self.base = buffer.baseAddress! }

    @inlinable subscript(i: Int) -> Element {
        get { base[i] }
        nonmutating set { base[i] = newValue }
    }

    @inlinable static func + (p: SharedPointer, offset: Int) -> UnsafeMutablePointer<Element> { p.base + offset }
}

/// A read-only counterpart of `SharedPointer` for inputs read by many workers at once.
@usableFromInline
struct SharedReadPointer<Element>: @unchecked Sendable {
    @usableFromInline let base: UnsafePointer<Element>

    @inlinable init(_ base: UnsafePointer<Element>) { self.base = base }
    @inlinable init(_ buffer: UnsafeBufferPointer<Element>) { self.base = buffer.baseAddress! }

    @inlinable subscript(i: Int) -> Element { base[i] }

    @inlinable static func + (p: SharedReadPointer, offset: Int) -> UnsafePointer<Element> { p.base + offset }
}

/// Parallel loops over all cores, for work split into independent items.
enum Parallel {
    /// Number of worker threads the loops aim for.
    static let coreCount = max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// Runs `body(i)` for every `i` in `0..<count`, in parallel when there is more than one item.
    static func forEach(_ count: Int, _ body: (Int) -> Void) {
        if count <= 0 { return }
        if count == 1 || coreCount == 1 {
            for i in 0..<count { body(i) }
            return
        }
        withoutActuallyEscaping(body) { escapable in
            let box = UncheckedBox(escapable)
            DispatchQueue.concurrentPerform(iterations: count) { i in box.value(i) }
        }
    }

    /// Splits `0..<count` into about `chunksPerCore × cores` contiguous ranges and runs them in parallel.
    static func forEachRange(_ count: Int, minimumChunk: Int = 1, chunksPerCore: Int = 4,
                             _ body: (Range<Int>) -> Void) {
        if count <= 0 { return }
        let chunks = max(1, min(count / max(1, minimumChunk), coreCount * chunksPerCore))
        let size = (count + chunks - 1) / chunks
        let n = (count + size - 1) / size
        forEach(n) { c in
            let lo = c * size
            body(lo..<min(count, lo + size))
        }
    }
}

/// Carries a non-Sendable closure into `concurrentPerform`, whose iterations only touch disjoint data.
private struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
