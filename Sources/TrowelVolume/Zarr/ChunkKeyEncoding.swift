/// How a chunk's grid index becomes a file name inside the array folder: Zarr v2 keys (`3.1.2` or
/// `3/1/2`) or Zarr v3 default keys (`c/3/1/2` or `c.3.1.2`).
struct ChunkKeyEncoding: Sendable, Equatable {
    /// `"c"` for v3 default encoding; nil for v2 keys.
    var prefix: String?
    var separator: String

    static func v2(separator: String) -> ChunkKeyEncoding { ChunkKeyEncoding(prefix: nil, separator: separator) }
    static func v3Default(separator: String) -> ChunkKeyEncoding { ChunkKeyEncoding(prefix: "c", separator: separator) }

    /// The key of a chunk of an array of `rank` dimensions (a 2D array's keys omit the z index).
    func key(for chunk: Index3, rank: Int) -> String {
        let parts = chunk.array.suffix(rank).map(String.init)
        if let prefix { return ([prefix] + parts).joined(separator: separator) }
        return parts.isEmpty ? "0" : parts.joined(separator: separator)
    }
}
