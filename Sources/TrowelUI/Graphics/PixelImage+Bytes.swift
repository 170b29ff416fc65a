extension PixelImage {
    /// Calls `body` with the pixels as packed 8-bit RGB (width × height × 3 bytes), without a copy
    /// when `RGB` is laid out as three bytes (it is on every platform Swift runs on).
    public func withRGBBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        var result: Result<R, E>!
        func run(_ bytes: UnsafeRawBufferPointer) {
            do throws(E) { result = .success(try body(bytes)) } catch { result = .failure(error) }
        }
        if MemoryLayout<RGB>.stride == 3 {
            pixels.withUnsafeBytes { run($0) }
        } else {
            var packed = [UInt8]()
            packed.reserveCapacity(pixels.count * 3)
            for p in pixels { packed += [p.r, p.g, p.b] }
            packed.withUnsafeBytes { run($0) }
        }
        return try result.get()
    }
}
