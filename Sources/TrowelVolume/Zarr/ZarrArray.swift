import Foundation

/// One chunked 3D array in a Zarr v2 or v3 store (a 2D array opens as shape (1, y, x)).
/// Reads touch only the chunks a box overlaps, through an optional shared `ChunkCache`; writes
/// replace each chunk file atomically, so concurrent writers of different chunks and killed
/// processes never leave half a chunk. Safe to use from many threads at once. A cache sees this
/// process's writes; chunks another process rewrites are re-read only once evicted (or after a
/// read-modify-write, which always reads the chunk from disk).
public final class ZarrArray: Sendable {
    /// The array's folder.
    public let url: URL
    let metadata: ZarrMetadata
    let cache: ChunkCache?
    /// The folder's standardized path: prefix of chunk paths, and this array's identity in the cache.
    let path: String
    private let writeLocks = ChunkLocks()

    init(url: URL, metadata: ZarrMetadata, cache: ChunkCache?) {
        self.url = url
        self.metadata = metadata
        self.cache = cache
        self.path = url.standardizedFileURL.path
    }

    // MARK: Opening and creating

    /// Opens the v2 (`.zarray`) or v3 (`zarr.json`) array in the folder at `url`. Pass a shared `cache`
    /// to keep decoded chunks in memory across reads; without one every read decodes from disk.
    public static func open(at url: URL, cache: ChunkCache? = nil) throws(ZarrError) -> ZarrArray {
        let folder = url.standardizedFileURL.path
        return ZarrArray(url: url, metadata: try ZarrMetadata.load(arrayAt: folder), cache: cache)
    }

    /// Creates an empty Zarr v2 array (every chunk missing, so every voxel reads as `fillValue`),
    /// writing `.zarray` and, if given, `.zattrs`. Refuses to replace an existing array unless `overwrite`.
    public static func create(
        at url: URL, shape: Shape, chunks: Shape, dtype: DType,
        compressor: ZarrCompressor = .zstd(level: 3), fillValue: Double = 0,
        dimensionSeparator: String = "/", attributes: [String: JSONValue]? = nil,
        overwrite: Bool = false, cache: ChunkCache? = nil
    ) throws(ZarrError) -> ZarrArray {
        let folder = url.standardizedFileURL.path
        guard !shape.array.contains(where: { $0 < 0 }) else {
            throw .invalidArgument(path: folder, reason: "shape \(shape) has a negative side")
        }
        guard !chunks.isEmpty else {
            throw .invalidArgument(path: folder, reason: "chunk shape \(chunks) must be positive on every axis")
        }
        guard dimensionSeparator == "/" || dimensionSeparator == "." else {
            throw .invalidArgument(path: folder, reason: "dimension separator '\(dimensionSeparator)' is neither '/' nor '.'")
        }
        try validate(compressor, path: folder)
        let fm = FileManager.default
        if fm.fileExists(atPath: folder + "/" + ZarrMetadata.v2File) || fm.fileExists(atPath: folder + "/" + ZarrMetadata.v3File) {
            guard overwrite else { throw .alreadyExists(path: folder) }
            do { try fm.removeItem(atPath: folder) } catch {
                throw .io(path: folder, reason: "cannot remove the old array: \(error.localizedDescription)")
            }
        }
        cache?.removeAll(array: folder)
        do { try fm.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
            throw .io(path: folder, reason: "cannot create folder: \(error.localizedDescription)")
        }
        let metadata = ZarrMetadata(
            format: .v2, rank: 3, shape: shape, chunks: chunks, dtype: dtype, byteOrder: .little,
            fillValue: fillValue, keyEncoding: .v2(separator: dimensionSeparator),
            codecs: compressor == .none ? [] : [.compressor(compressor)])
        try writeJSON(metadata.v2JSON, to: folder + "/" + ZarrMetadata.v2File)
        let array = ZarrArray(url: url, metadata: metadata, cache: cache)
        if let attributes { try array.writeAttributes(attributes) }
        return array
    }

    private static func validate(_ compressor: ZarrCompressor, path: String) throws(ZarrError) {
        if let problem = compressor.problem { throw .invalidArgument(path: path, reason: problem) }
    }

    static func writeJSON(_ value: JSONValue, to path: String) throws(ZarrError) {
        let data: Data
        do { data = try value.serialized() } catch {
            throw .invalidArgument(path: path, reason: "cannot encode JSON: \(error)")
        }
        try AtomicFile.write([UInt8](data), to: path)
    }

    // MARK: Geometry

    public var shape: Shape { metadata.shape }
    public var chunks: Shape { metadata.chunks }
    public var dtype: DType { metadata.dtype }
    /// Byte order of stored values (values read are always in this machine's order).
    public var byteOrder: ByteOrder { metadata.byteOrder }
    /// The value of voxels in chunks that were never written.
    public var fillValue: Double { metadata.fillValue }
    public var format: ZarrFormat { metadata.format }
    /// The compressor applied to chunks (the first one, for a v3 chain of several).
    public var compressor: ZarrCompressor {
        for case .compressor(let c) in metadata.codecs { return c }
        return .none
    }

    /// Number of chunks along each axis.
    public var chunkGrid: Shape {
        Shape(z: (shape.z + chunks.z - 1) / chunks.z, y: (shape.y + chunks.y - 1) / chunks.y,
              x: (shape.x + chunks.x - 1) / chunks.x)
    }

    /// The voxels chunk `chunkIndex` holds, clipped to the array's shape.
    public func chunkBox(_ chunkIndex: Index3) -> Box {
        Box(origin: chunkOrigin(chunkIndex), shape: chunks).intersection(shape.box)
    }

    /// Grid indices of the chunks that overlap `box`, in C order.
    public func chunkIndices(overlapping box: Box) -> [Index3] {
        let b = box.intersection(shape.box)
        if b.isEmpty { return [] }
        var out: [Index3] = []
        for z in (b.lower.z / chunks.z)...((b.upper.z - 1) / chunks.z) {
            for y in (b.lower.y / chunks.y)...((b.upper.y - 1) / chunks.y) {
                for x in (b.lower.x / chunks.x)...((b.upper.x - 1) / chunks.x) {
                    out.append(Index3(z: z, y: y, x: x))
                }
            }
        }
        return out
    }

    /// Removes the temporary chunk files that writers killed mid-write left in this array's folders
    /// (those of live writers, here or on another host, stay); returns how many.
    @discardableResult
    public func removeAbandonedTemporaryFiles() -> Int {
        AbandonedFiles.removeTemporaryFiles(under: url)
    }

    /// Grid indices of the chunks that have been written, in C order (painted labels, say: the
    /// rest read as fill and need not be visited).
    public var writtenChunks: [Index3] {
        chunkIndices(overlapping: shape.box).filter(chunkExists)
    }

    /// Whether chunk `chunkIndex` has been written (a missing chunk reads as fill).
    public func chunkExists(_ chunkIndex: Index3) -> Bool {
        FileManager.default.fileExists(atPath: chunkPath(chunkIndex))
    }

    /// The chunk's file.
    public func chunkURL(_ chunkIndex: Index3) -> URL { URL(fileURLWithPath: chunkPath(chunkIndex)) }

    func chunkOrigin(_ chunkIndex: Index3) -> Index3 {
        Index3(z: chunkIndex.z * chunks.z, y: chunkIndex.y * chunks.y, x: chunkIndex.x * chunks.x)
    }

    func chunkPath(_ chunkIndex: Index3) -> String {
        path + "/" + metadata.keyEncoding.key(for: chunkIndex, rank: metadata.rank)
    }

    private func checkInside(_ box: Box) throws(ZarrError) {
        guard shape.box.contains(box), box.lower.z >= 0, box.lower.y >= 0, box.lower.x >= 0 else {
            throw .outOfBounds(path: path, box: box, shape: shape)
        }
    }

    // MARK: Reading

    /// The voxels in `box` (which must lie inside the array), decoding only the chunks it overlaps.
    public func read(_ box: Box) throws(ZarrError) -> AnyBlock {
        switch dtype {
        case .u8: return .u8(try readBlock(box, as: UInt8.self))
        case .u16: return .u16(try readBlock(box, as: UInt16.self))
        case .i16: return .i16(try readBlock(box, as: Int16.self))
        case .u32: return .u32(try readBlock(box, as: UInt32.self))
        case .i32: return .i32(try readBlock(box, as: Int32.self))
        case .f32: return .f32(try readBlock(box, as: Float.self))
        case .f64: return .f64(try readBlock(box, as: Double.self))
        }
    }

    /// The voxels in `box` as `T`, converted (rounded, clamped) when the array's dtype differs.
    public func read<T: VoxelScalar>(_ box: Box, as type: T.Type) throws(ZarrError) -> Block<T> {
        if T.dtype == dtype { return try readBlock(box, as: T.self) }
        return try read(box).converted(to: T.self)
    }

    private func readBlock<T: VoxelScalar>(_ box: Box, as type: T.Type) throws(ZarrError) -> Block<T> {
        try checkInside(box)
        let indices = chunkIndices(overlapping: box)
        // A box that is exactly one whole chunk is that chunk: no copy.
        if indices.count == 1, Box(origin: chunkOrigin(indices[0]), shape: chunks) == box {
            if let hit = cachedChunk(indices[0], as: T.self) { return hit }
            if let chunk = try loadChunk(indices[0], as: T.self) { return chunk }
        }
        // Every voxel of `out` lies in exactly one overlapping chunk, which is either copied in or,
        // when missing, filled; so `out` starts uninitialised rather than being written twice.
        let count = box.shape.voxelCount
        var out = Block<T>(shape: box.shape, elements: [T](unsafeUninitializedCapacity: count) { _, n in n = count })
        let fill = T(clampingDouble: fillValue)
        func place(_ chunk: Block<T>?, _ index: Index3) {
            if let chunk {
                out.copy(from: chunk, at: chunkOrigin(index), into: box.lower)
            } else {
                out.fill(chunkBox(index).intersection(box).translated(by: .zero - box.lower), with: fill)
            }
        }
        // Cached chunks first, then decode the rest in parallel batches (bounded memory).
        var pending: [Index3] = []
        for index in indices {
            if let hit = cachedChunk(index, as: T.self) { place(hit, index) } else { pending.append(index) }
        }
        let batch = max(1, ProcessInfo.processInfo.activeProcessorCount) * 2
        var start = 0
        while start < pending.count {
            let slice = Array(pending[start..<min(start + batch, pending.count)])
            let loaded = try ParallelMap.run(slice) { (index) throws(ZarrError) in try self.loadChunk(index, as: T.self) }
            for (index, chunk) in zip(slice, loaded) { place(chunk, index) }
            start += batch
        }
        return out
    }

    private func cacheKey(_ chunkIndex: Index3) -> ChunkCache.Key { ChunkCache.Key(array: path, chunk: chunkIndex) }

    private func cachedChunk<T: VoxelScalar>(_ chunkIndex: Index3, as type: T.Type) -> Block<T>? {
        cache?.value(for: cacheKey(chunkIndex))?.typed(T.self)
    }

    /// Decodes a chunk from disk (nil if missing) and caches it.
    private func loadChunk<T: VoxelScalar>(_ chunkIndex: Index3, as type: T.Type) throws(ZarrError) -> Block<T>? {
        guard let chunk = try readChunkFromDisk(chunkIndex, as: T.self) else { return nil }
        cache?.insert(AnyBlock(chunk), for: cacheKey(chunkIndex))
        return chunk
    }

    private func readChunkFromDisk<T: VoxelScalar>(_ chunkIndex: Index3, as type: T.Type) throws(ZarrError) -> Block<T>? {
        let file = chunkPath(chunkIndex)
        guard let bytes = try AtomicFile.read(file) else { return nil }
        do {
            return try decodeChunk(bytes, as: T.self)
        } catch {
            throw .corruptChunk(path: file, reason: error.message)
        }
    }

    /// Stored bytes → a full-size chunk in this machine's byte order.
    func decodeChunk<T: VoxelScalar>(_ bytes: [UInt8], as type: T.Type) throws(CodecFailure) -> Block<T> {
        let count = chunks.voxelCount
        let codecs = metadata.codecs
        let swap = metadata.byteOrder != .native && dtype.size > 1
        var failure: CodecFailure?
        let elements = [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            let destination = UnsafeMutableRawBufferPointer(buffer)
            do throws(CodecFailure) {
                if codecs.isEmpty {
                    try bytes.withCodecBytes { (src) throws(CodecFailure) in
                        try ZarrCompressor.none.decode(src, into: destination)
                    }
                } else {
                    var current = bytes
                    for codec in codecs.dropFirst().reversed() {
                        current = try current.withCodecBytes { (src) throws(CodecFailure) in try codec.decode(src) }
                    }
                    try current.withCodecBytes { (src) throws(CodecFailure) in try codecs[0].decode(src, into: destination) }
                }
                if swap { ByteSwap.swap(destination, elementSize: MemoryLayout<T>.size) }
                initialized = count
            } catch {
                failure = error
                initialized = 0
            }
        }
        if let failure { throw failure }
        return Block(shape: chunks, elements: elements)
    }

    /// A full-size chunk → stored bytes.
    func encodeChunk<T: VoxelScalar>(_ chunk: Block<T>) throws(CodecFailure) -> [UInt8] {
        var current: [UInt8] = chunk.elements.withUnsafeBytes { Array($0) }
        if metadata.byteOrder != .native && dtype.size > 1 {
            current.withUnsafeMutableBytes { ByteSwap.swap($0, elementSize: MemoryLayout<T>.size) }
        }
        for codec in metadata.codecs {
            current = try current.withCodecBytes { (src) throws(CodecFailure) in try codec.encode(src, typeSize: dtype.size) }
        }
        return current
    }

    // MARK: Writing

    /// Writes `block` with its first voxel at `origin` (the block must fit inside the array),
    /// converting to the array's dtype if needed. Chunks the block covers are written directly;
    /// partly covered chunks are read, modified and written back.
    public func write(_ block: AnyBlock, at origin: Index3) throws(ZarrError) {
        switch dtype {
        case .u8: try writeBlock(block.converted(to: UInt8.self), at: origin)
        case .u16: try writeBlock(block.converted(to: UInt16.self), at: origin)
        case .i16: try writeBlock(block.converted(to: Int16.self), at: origin)
        case .u32: try writeBlock(block.converted(to: UInt32.self), at: origin)
        case .i32: try writeBlock(block.converted(to: Int32.self), at: origin)
        case .f32: try writeBlock(block.converted(to: Float.self), at: origin)
        case .f64: try writeBlock(block.converted(to: Double.self), at: origin)
        }
    }

    /// Typed form of `write(_:at:)`.
    public func write<T: VoxelScalar>(_ block: Block<T>, at origin: Index3) throws(ZarrError) {
        if T.dtype == dtype { try writeBlock(block, at: origin) } else { try write(AnyBlock(block), at: origin) }
    }

    private func writeBlock<T: VoxelScalar>(_ block: Block<T>, at origin: Index3) throws(ZarrError) {
        let box = Box(origin: origin, shape: block.shape)
        try checkInside(box)
        let indices = chunkIndices(overlapping: box)
        _ = try ParallelMap.run(indices) { (index) throws(ZarrError) in
            try self.writeChunk(index, from: block, at: origin)
        }
    }

    private func writeChunk<T: VoxelScalar>(_ chunkIndex: Index3, from block: Block<T>, at origin: Index3) throws(ZarrError) {
        let chunkOrigin = chunkOrigin(chunkIndex)
        let covered = Box(origin: origin, shape: block.shape).contains(chunkBox(chunkIndex))
        let file = chunkPath(chunkIndex)
        try writeLocks.withLock(for: chunkIndex) { () throws(ZarrError) in
            // Read-modify-write reads from disk, not the cache: another process may have written it.
            var chunk = covered ? nil : try readChunkFromDisk(chunkIndex, as: T.self)
            if chunk == nil { chunk = Block(shape: chunks, repeating: T(clampingDouble: fillValue)) }
            chunk!.copy(from: block, at: origin, into: chunkOrigin)
            let bytes: [UInt8]
            do throws(CodecFailure) { bytes = try encodeChunk(chunk!) } catch {
                throw .io(path: file, reason: "cannot encode chunk: \(error.message)")
            }
            try AtomicFile.write(bytes, to: file)
            cache?.insert(AnyBlock(chunk!), for: cacheKey(chunkIndex))
        }
    }

    // MARK: Attributes

    /// User attributes: `.zattrs` (v2) or `attributes` in `zarr.json` (v3); empty if none.
    public func readAttributes() throws(ZarrError) -> [String: JSONValue] {
        switch format {
        case .v2:
            let file = path + "/.zattrs"
            guard let bytes = try AtomicFile.read(file) else { return [:] }
            return try ZarrMetadata.json(bytes, path: file).objectValue ?? [:]
        case .v3:
            let file = path + "/" + ZarrMetadata.v3File
            guard let bytes = try AtomicFile.read(file) else { throw .notAnArray(path: path) }
            return try ZarrMetadata.json(bytes, path: file)["attributes"]?.objectValue ?? [:]
        }
    }

    /// Replaces the user attributes (atomically, like chunks).
    public func writeAttributes(_ attributes: [String: JSONValue]) throws(ZarrError) {
        switch format {
        case .v2:
            try Self.writeJSON(.object(attributes), to: path + "/.zattrs")
        case .v3:
            let file = path + "/" + ZarrMetadata.v3File
            guard let bytes = try AtomicFile.read(file) else { throw .notAnArray(path: path) }
            var meta = try ZarrMetadata.json(bytes, path: file).objectValue ?? [:]
            meta["attributes"] = .object(attributes)
            try Self.writeJSON(.object(meta), to: file)
        }
    }
}

extension ZarrArray: SliceSource {
    public var summary: String {
        "Zarr v\(format.rawValue) array \(shape) \(dtype) (\(compressor.name), chunks \(chunks)) in \(path)"
    }

    public func readSlices(_ range: Range<Int>) throws -> AnyBlock {
        try read(Box(z: range, y: 0..<shape.y, x: 0..<shape.x))
    }
}

extension Block {
    /// Sets every voxel of `box` (relative to this block) to `value`, a row at a time.
    mutating func fill(_ box: Box, with value: Element) {
        if box.isEmpty { return }
        let n = box.shape.x
        let s = shape
        elements.withUnsafeMutableBufferPointer { p in
            for z in box.range(.z) {
                for y in box.range(.y) {
                    (p.baseAddress! + s.offset(z: z, y: y, x: box.lower.x)).update(repeating: value, count: n)
                }
            }
        }
    }
}

extension AnyBlock {
    /// The block as `Block<T>` when that is its element type.
    func typed<T: VoxelScalar>(_ type: T.Type) -> Block<T>? {
        switch self {
        case .u8(let b): return b as? Block<T>
        case .u16(let b): return b as? Block<T>
        case .i16(let b): return b as? Block<T>
        case .u32(let b): return b as? Block<T>
        case .i32(let b): return b as? Block<T>
        case .f32(let b): return b as? Block<T>
        case .f64(let b): return b as? Block<T>
        }
    }
}
