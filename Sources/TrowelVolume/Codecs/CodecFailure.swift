/// What went wrong inside a codec, without the file name; the array adds the chunk path
/// (`ZarrError.corruptChunk`) so the user sees one line naming the file.
struct CodecFailure: Error, Sendable {
    let message: String
    init(_ message: String) { self.message = message }
}
