import Foundation
import TrowelVolume

/// `labels.zarr/.trowel-chunks`: every chunk of the labels that has been written, one `z/y/x` a
/// line, appended when a chunk is first written. Only painted chunks exist, so without it a chunk
/// file deleted by accident would just read as unlabelled; with it, the loss is reported.
final class LabelChunkManifest {
    static let fileName = ".trowel-chunks"

    let url: URL
    private(set) var known: Set<Index3> = []
    /// False for a project whose labels predate the manifest and that this process may not write:
    /// deleted chunks cannot be told from chunks never painted.
    let isComplete: Bool

    /// Reads the manifest of `array`; a writable store that has none yet (labels from an older
    /// Trowel) starts one with the chunks that exist now.
    init(array: ZarrArray, writable: Bool) throws {
        url = array.url.appendingPathComponent(Self.fileName)
        if let text = try? String(contentsOf: url, encoding: .utf8) {
            for line in text.split(separator: "\n") {
                let parts = line.split(separator: "/").compactMap { Int($0) }
                if parts.count == 3 { known.insert(Index3(z: parts[0], y: parts[1], x: parts[2])) }
            }
            isComplete = true
        } else if writable {
            let grid = array.chunkGrid
            for z in 0..<grid.z {
                for y in 0..<grid.y {
                    for x in 0..<grid.x where array.chunkExists(Index3(z: z, y: y, x: x)) { known.insert(Index3(z: z, y: y, x: x)) }
                }
            }
            try Self.lines(known).write(to: url, atomically: true, encoding: .utf8)
            isComplete = true
        } else {
            isComplete = false
        }
    }

    static func lines(_ chunks: Set<Index3>) -> String {
        chunks.sorted { ($0.z, $0.y, $0.x) < ($1.z, $1.y, $1.x) }.map { "\($0.z)/\($0.y)/\($0.x)\n" }.joined()
    }

    /// Notes the chunks of `array` that a write of `box` created.
    func record(_ box: Box, in array: ZarrArray) throws {
        let new = array.chunkIndices(overlapping: box).filter { !known.contains($0) }
        guard !new.isEmpty else { return }
        let text = Self.lines(Set(new))
        let fd = open(url.path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ProjectError.unwritable(url.path, String(cString: strerror(errno))) }
        defer { close(fd) }
        let written = text.withCString { write(fd, $0, strlen($0)) }
        guard written == text.utf8.count else { throw ProjectError.unwritable(url.path, String(cString: strerror(errno))) }
        known.formUnion(new)
    }

    /// Drops `chunks` from the manifest (their loss has been acknowledged).
    func forget(_ chunks: [Index3]) throws {
        known.subtract(chunks)
        try Self.lines(known).write(to: url, atomically: true, encoding: .utf8)
    }
}

/// A chunk of the labels that is gone or cannot be read, with the voxels it held.
public struct LabelChunkDamage: Equatable, Sendable, CustomStringConvertible {
    public enum Kind: Equatable, Sendable {
        /// The chunk was written once and its file is gone.
        case missing
        /// The chunk file is there but does not decode (the reason as the reader gave it).
        case unreadable(String)
    }

    public var chunk: Index3
    /// The chunk file, relative to the project (`labels.zarr/0/1/0`).
    public var file: String
    public var box: Box
    public var kind: Kind

    /// Slices (z), rows (y) and columns (x) of the chunk, for a person.
    public var place: String { Self.place(of: box) }

    /// Slices (z), rows (y) and columns (x) of `box`, for a person.
    static func place(of box: Box) -> String {
        "slices \(box.lower.z)–\(box.upper.z - 1), rows \(box.lower.y)–\(box.upper.y - 1), columns \(box.lower.x)–\(box.upper.x - 1)"
    }

    /// The file, where it lies and what is wrong, without what follows (`… is missing`).
    public var summary: String {
        switch kind {
        case .missing: return "\(file) (\(place)) is missing"
        case .unreadable(let why): return "\(file) (\(place)) cannot be read (\(why))"
        }
    }

    public var description: String {
        summary + ": its labels are not used (`trowel labels check --rebuild` rebuilds it where the stroke log holds it)"
    }
}

extension LabelStore {
    /// The label chunks of `project` that were written once and whose files are gone: a quick check
    /// (no chunk is decoded) for `trowel info`; opening the store also finds chunks that do not decode.
    public static func missingChunks(in project: Project) throws -> [LabelChunkDamage] {
        let url = project.url.appendingPathComponent(folderName)
        guard FileManager.default.fileExists(atPath: url.path) else { return [] }
        let array = try ZarrArray.open(at: url)
        let manifest = try LabelChunkManifest(array: array, writable: false)
        return manifest.known.sorted { ($0.z, $0.y, $0.x) < ($1.z, $1.y, $1.x) }.compactMap { chunk in
            guard !array.chunkExists(chunk), chunk.z < array.chunkGrid.z, chunk.y < array.chunkGrid.y, chunk.x < array.chunkGrid.x else { return nil }
            let file = folderName + "/" + String(array.chunkURL(chunk).path.dropFirst(array.url.standardizedFileURL.path.count + 1))
            return LabelChunkDamage(chunk: chunk, file: file, box: array.chunkBox(chunk), kind: .missing)
        }
    }
}
