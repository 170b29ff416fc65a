import Foundation
import TrowelVolume

/// Writes a finished segmentation's class ids (uint8, level 0) as files other tools import:
/// TIFF or PNG slice stacks (`<id>_00000.tif` …, VGStudio, Avizo, Dragonfly, Fiji), one raw file
/// (`<id>.raw`, z-y-x C order, uint8) or a plain Zarr v2 array (`<id>.zarr`). Streams a slab at a time.
public struct SegmentationExport: Sendable {
    public enum Format: String, Sendable, CaseIterable {
        case tiff, png, raw, zarr
    }

    public let store: SegmentationStore
    public let format: Format
    /// Slices read and written at a time.
    public var slabDepth = 64

    public init(store: SegmentationStore, format: Format) {
        self.store = store
        self.format = format
    }

    /// Exports into `folder` (created if missing); returns the files or folder written.
    /// Throws unless the segmentation exists and every block is done.
    @discardableResult
    public func run(into folder: URL, isCancelled: () -> Bool = { false }) throws -> [URL] {
        let fm = FileManager.default
        guard fm.fileExists(atPath: store.levelZeroURL.appendingPathComponent(".zarray").path) else {
            throw SegmentationError.notFound(store.id, available: SegmentationStore.ids(in: store.projectURL))
        }
        let labels = try ZarrArray.open(at: store.levelZeroURL)
        let grid = try BlockGrid(shape: labels.shape, side: store.blockSide())
        let done = store.doneCount(of: grid.count)
        guard done == grid.count else { throw SegmentationError.unfinished(store.id, done: done, total: grid.count) }
        do {
            try fm.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw SegmentationError.unwritable(folder.path, error.localizedDescription)
        }
        guard fm.isWritableFile(atPath: folder.path) else { throw SegmentationError.unwritable(folder.path, "permission denied") }
        let shape = labels.shape
        var written: [URL] = []
        var rawHandle: FileHandle?
        var zarr: ZarrArray?
        switch format {
        case .raw:
            let file = folder.appendingPathComponent("\(store.id).raw")
            guard fm.createFile(atPath: file.path, contents: nil), let h = try? FileHandle(forWritingTo: file) else {
                throw SegmentationError.unwritable(file.path, "cannot create the file")
            }
            rawHandle = h
            written.append(file)
        case .zarr:
            let url = folder.appendingPathComponent("\(store.id).zarr")
            zarr = try ZarrArray.create(at: url, shape: shape, chunks: labels.chunks, dtype: .u8, overwrite: true)
            written.append(url)
        case .tiff, .png:
            break
        }
        defer { try? rawHandle?.close() }
        var z = 0
        while z < shape.z {
            if isCancelled() { throw CancellationError() }
            let range = z..<min(z + slabDepth, shape.z)
            let slab = try labels.read(Box(z: range, y: 0..<shape.y, x: 0..<shape.x))
            switch format {
            case .tiff: written += try TIFFWriter().writeSlices(slab, into: folder, prefix: store.id, firstIndex: z)
            case .png: written += try PNGWriter().writeSlices(slab, into: folder, prefix: store.id, firstIndex: z)
            case .raw:
                do { try rawHandle?.write(contentsOf: Data(slab.converted(to: UInt8.self).elements)) } catch {
                    throw SegmentationError.unwritable(written[0].path, error.localizedDescription)
                }
            case .zarr: try zarr?.write(slab, at: Index3(z: z, y: 0, x: 0))
            }
            z = range.upperBound
        }
        return written
    }
}
