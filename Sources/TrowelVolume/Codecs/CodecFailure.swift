/// What went wrong inside a codec, without the file name; the array adds the chunk path
/// (`ZarrError.corruptChunk`) so the user sees one line naming the file.
struct CodecFailure: Error, Sendable {
    let message: String
    init(_ message: String) { self.message = message }
}

extension Array where Element == UInt8 {
    /// `withUnsafeBytes` for a body that throws `CodecFailure` (the standard one only rethrows `any Error`).
    func withCodecBytes<R>(_ body: (UnsafeRawBufferPointer) throws(CodecFailure) -> R) throws(CodecFailure) -> R {
        var result: Result<R, CodecFailure>?
        withUnsafeBytes { p in
            do throws(CodecFailure) { result = .success(try body(p)) } catch { result = .failure(error) }
        }
        return try result!.get()
    }
}
