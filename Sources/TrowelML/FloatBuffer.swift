/// A fixed-size, heap-allocated, contiguous Float buffer that parallel workers read and write
/// through its pointer (disjoint ranges per worker). Freed when the last reference goes.
final class FloatBuffer: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Float>
    let count: Int

    /// A buffer of `count` zeros.
    init(count: Int) {
        self.count = count
        pointer = UnsafeMutablePointer<Float>.allocate(capacity: max(1, count))
        pointer.initialize(repeating: 0, count: max(1, count))
    }

    /// A copy of `values`.
    convenience init(_ values: [Float]) {
        self.init(count: values.count)
        values.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: values.count) }
    }

    deinit { pointer.deallocate() }

    var readable: UnsafePointer<Float> { UnsafePointer(pointer) }
    var shared: SharedPointer<Float> { SharedPointer(pointer) }
    var sharedReadable: SharedReadPointer<Float> { SharedReadPointer(UnsafePointer(pointer)) }

    /// The values as an array.
    var array: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }
}
