import ArgumentParser
import Foundation
import TrowelEngine
import TrowelMesh
import TrowelVolume

struct MeshCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mesh",
        abstract: "Export one class of a segmentation as a closed surface mesh (binary STL or OBJ).",
        discussion: """
            Blockwise marching tetrahedra on the voxels of the class, welded across block seams into one \
            closed, manifold, outward-facing mesh. Without --smooth and --decimate the mesh is written as it is \
            made, so memory is one block plus a slab of blocks' seam vertices, however large the scan; \
            smoothing holds the whole mesh (about 40 bytes a triangle), decimation about 120. Coordinates are in \
            micrometres (voxel centre = (i + 0.5) × voxel size); STL has no units, so scale by 0.001 for mm.

            The source is a segmentation (--segmentation ID, default the newest), the painted labels \
            (--labels), or any uint8 Zarr array or OME-Zarr group (--from). --downsample 2 meshes a \
            max-downsampled mask: a 2×2×2 group is inside when any of its voxels is, so thin struts survive. \
            --decimate runs before --smooth.
            """
    )

    @Argument(help: "The project folder, e.g. scan.trowel.")
    var project: String

    @Option(name: .customLong("class"), help: "Class name (e.g. bone) or class id.")
    var className: String

    @Option(help: "Mesh PROJECT/segmentations/<ID>.zarr (default: the newest segmentation).")
    var segmentation: String?

    @Flag(help: "Mesh the painted labels (PROJECT/labels.zarr).")
    var labels = false

    @Option(help: "Mesh any uint8 Zarr array or OME-Zarr group (level 0) instead.")
    var from: String?

    @Option(name: .shortAndLong, help: "Output file, .stl or .obj (default PROJECT/meshes/<source>-<class>.stl).")
    var output: String?

    @Option(help: "Mesh a 2× (or k×) max-downsampled mask: fewer, larger triangles.")
    var downsample = 1

    @Option(help: "Iterations of Taubin smoothing (λ 0.5, μ -0.53; keeps the volume).")
    var smooth = 0

    @Option(help: "Keep this fraction of the triangles (quadric edge collapse), e.g. 0.5.")
    var decimate: Double?

    @Option(help: "Cubes per block side (memory is about 34 bytes × (side+1)³, plus the mesh with --smooth or --decimate).")
    var block = 64

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    /// Bytes of decoded label chunks kept while meshing. Blocks overlap their neighbours by one
    /// voxel, so a chunk on a block boundary is read again by the next block in x, the next row in
    /// y or the next slab in z; 64 MB holds a row of blocks' chunks (64³ uint8 chunks, scans up to
    /// about 2048 voxels wide), and a miss only costs decoding the chunk again. The default 256 MB
    /// would be most of a streamed export's memory.
    static let chunkCacheBytes = 64 << 20

    func run() throws {
        try reportingErrors {
            let start = Date()
            let smoothing = try TaubinSmoothing(iterations: smooth)
            let decimation = try decimate.map { f throws(MeshError) in try EdgeCollapseDecimation(keepFraction: f) }
            let extractor = try SurfaceExtractor(blockSide: block, downsample: downsample)
            let projectURL = URL(fileURLWithPath: project)
            let opened = try Project.open(at: projectURL)
            let classes = try opened.classes()
            guard let labelClass = classes.first(where: { $0.name.lowercased() == className.lowercased() })
                ?? Int(className).flatMap({ id in classes.first { $0.id == id } }) else {
                throw MeshCommandError.unknownClass(className, classes.map(\.name))
            }
            let (sourceURL, sourceName) = try source(in: projectURL)
            let outputPath = output ?? projectURL.appendingPathComponent("meshes/\(sourceName)-\(labelClass.name).stl").path
            if output == nil {
                try opened.requireWritable(for: "meshing without -o (meshes go to its meshes/ folder; give -o FILE)")
                try FileManager.default.createDirectory(at: projectURL.appendingPathComponent("meshes"), withIntermediateDirectories: true)
            }
            try MeshWriter.validate(path: outputPath)
            let volume: MultiscaleVolume
            do { volume = try MultiscaleVolume.open(at: sourceURL, cache: ChunkCache(byteBudget: Self.chunkCacheBytes)) } catch let error as ZarrError {
                throw error  // names the file at fault and what is wrong with it
            } catch { throw MeshCommandError.unreadable(sourceURL.path, "\(error)") }
            let record = try opened.record()
            let voxelSize = volume.hasRecordedVoxelSize ? volume.voxelSize : record.voxelSize
            let labelSource = try LabelSource(array: volume.levels[0], voxelSize: voxelSize)

            Interrupts.install()
            let bar = ProgressBar(label: "meshing \(labelClass.name)", unit: "blocks")
            let progress = { (done: Int, total: Int) in
                // Label bytes read so far (uint8), for the MB/s figure.
                let bytes = labelSource.shape.voxelCount / max(1, total) * done
                Terminal.showProgress(bar.line(done: done, total: total, bytes: bytes, elapsed: Date().timeIntervalSince(start),
                                               width: Terminal.width))
            }
            let classID = UInt8(clamping: labelClass.id)
            let summary: MeshSummary
            if decimation == nil && smooth == 0 {
                // Streamed to disk as it is made: memory is a slab of blocks, not the mesh.
                summary = try MeshWriter.writeSurface(of: classID, in: labelSource, with: extractor, to: outputPath,
                                                      progress: progress, isCancelled: { Interrupts.isInterrupted })
                Terminal.clearProgressLine()
                if summary.triangles == 0 { throw MeshCommandError.empty(labelClass.name, sourceURL.path) }
            } else {
                // Smoothing and decimation need the whole mesh in memory.
                var mesh = try extractor.surface(of: classID, in: labelSource, progress: progress,
                                                 isCancelled: { Interrupts.isInterrupted })
                Terminal.clearProgressLine()
                if let decimation {
                    Terminal.showProgress("decimating \(mesh.triangles.count) triangles…")
                    mesh = try decimation.decimated(mesh, isCancelled: { Interrupts.isInterrupted })
                }
                if smooth > 0 { Terminal.showProgress("smoothing \(mesh.triangles.count) triangles…") }
                mesh = try smoothing.smoothed(mesh, isCancelled: { Interrupts.isInterrupted })
                Terminal.clearProgressLine()
                if mesh.triangles.isEmpty { throw MeshCommandError.empty(labelClass.name, sourceURL.path) }
                try MeshWriter.write(mesh, to: outputPath)
                summary = mesh.summary
            }
            let seconds = Date().timeIntervalSince(start)
            let areaMM2 = summary.surfaceArea / 1e6, volumeMM3 = summary.enclosedVolume / 1e9
            if json {
                let object: [String: Any] = [
                    "output": outputPath, "source": sourceURL.path, "class": labelClass.name, "class_id": labelClass.id,
                    "triangles": summary.triangles, "vertices": summary.vertices,
                    "surface_area_mm2": areaMM2, "volume_mm3": volumeMM3, "seconds": seconds, "units": "micrometres",
                ]
                let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
                print(String(decoding: data, as: UTF8.self))
            } else {
                print("wrote \(outputPath): \(summary.triangles) triangles, \(summary.vertices) vertices, "
                      + "surface \(String(format: "%.4g", areaMM2)) mm², volume \(String(format: "%.4g", volumeMM3)) mm³, "
                      + "\(String(format: "%.2f", seconds)) s (coordinates in µm)")
            }
        }
    }

    /// The label volume to mesh and a short name for it.
    func source(in projectURL: URL) throws -> (URL, String) {
        let chosen = [segmentation != nil, labels, from != nil].filter { $0 }.count
        guard chosen <= 1 else { throw MeshCommandError.severalSources }
        let fm = FileManager.default
        if let from {
            let url = URL(fileURLWithPath: from)
            guard fm.fileExists(atPath: url.path) else { throw MeshCommandError.missingFile(url.path) }
            return (url, url.deletingPathExtension().lastPathComponent)
        }
        if labels {
            let url = projectURL.appendingPathComponent("labels.zarr")
            guard fm.fileExists(atPath: url.path) else { throw MeshCommandError.noLabels(projectURL.path) }
            return (url, "labels")
        }
        let folder = projectURL.appendingPathComponent("segmentations")
        if let segmentation {
            let url = folder.appendingPathComponent("\(segmentation).zarr")
            guard fm.fileExists(atPath: url.path) else {
                throw MeshCommandError.noSegmentation(segmentation, projectURL.path, existing(in: folder))
            }
            return (url, segmentation)
        }
        let newest = existing(in: folder).max { a, b in modified(folder.appendingPathComponent("\(a).zarr")) < modified(folder.appendingPathComponent("\(b).zarr")) }
        guard let newest else { throw MeshCommandError.noSegmentations(projectURL.path) }
        return (folder.appendingPathComponent("\(newest).zarr"), newest)
    }

    func existing(in folder: URL) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".zarr") }.map { String($0.dropLast(5)) }.sorted()
    }

    func modified(_ url: URL) -> Date {
        ((try? FileManager.default.attributesOfItem(atPath: url.path))?[.modificationDate] as? Date) ?? .distantPast
    }
}

enum MeshCommandError: Error, CustomStringConvertible {
    case unknownClass(String, [String])
    case severalSources
    case missingFile(String)
    case noLabels(String)
    case noSegmentation(String, String, [String])
    case noSegmentations(String)
    case unreadable(String, String)
    case empty(String, String)

    var description: String {
        switch self {
        case .unknownClass(let c, let names):
            return "--class \(c): no such class in this project; classes are \(names.joined(separator: ", "))"
        case .severalSources: return "give only one of --segmentation, --labels and --from"
        case .missingFile(let p): return "\(p): no such Zarr array or folder"
        case .noLabels(let p): return "\(p): has no labels.zarr yet; paint some labels first, or use --segmentation or --from"
        case .noSegmentation(let id, let p, let ids):
            return "\(p)/segmentations/\(id).zarr: no such segmentation"
                + (ids.isEmpty ? "; run 'trowel segment' first" : "; existing: \(ids.joined(separator: ", "))")
        case .noSegmentations(let p): return "\(p): has no segmentations yet; run 'trowel segment', or use --labels or --from ZARR"
        case .unreadable(let p, let why): return "\(p): cannot open as Zarr (\(why))"
        case .empty(let c, let p): return "\(p): no voxels of class \(c); nothing to mesh"
        }
    }
}
