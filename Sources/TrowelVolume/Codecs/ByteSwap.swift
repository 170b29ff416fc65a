/// Reverses the byte order of every element in place: the only per-voxel work when a chunk's
/// stored byte order differs from this machine's.
enum ByteSwap {
    static func swap(_ bytes: UnsafeMutableRawBufferPointer, elementSize: Int) {
        switch elementSize {
        case 2: swapElements(bytes, as: UInt16.self)
        case 4: swapElements(bytes, as: UInt32.self)
        case 8: swapElements(bytes, as: UInt64.self)
        default: return
        }
    }

    @inline(__always)
    private static func swapElements<T: FixedWidthInteger>(_ bytes: UnsafeMutableRawBufferPointer, as: T.Type) {
        let n = bytes.count / MemoryLayout<T>.size
        guard n > 0, let base = bytes.baseAddress else { return }
        let p = base.bindMemory(to: T.self, capacity: n)
        for i in 0..<n { p[i] = p[i].byteSwapped }
    }
}
