import TrowelVolume

/// Does with `source` what `trowel convert` does before and while it streams it: asks for its
/// summary, memory plan and disk estimate, then reads its slices two at a time (when the whole scan
/// is small enough to allocate, see `fuzzVoxelLimit`). Errors are the expected outcome; crashes,
/// hangs and sanitizer reports are what the fuzzer looks for.
public func exercise(_ source: any SliceSource) {
    _ = source.summary
    _ = source.recordedVoxelSize
    let importer = VolumeImporter()
    _ = importer.minimumDiskBytes(for: source)
    _ = try? importer.slabDepth(for: source)
    guard let count = source.shape.checkedVoxelCount, count <= fuzzVoxelLimit, !source.shape.isEmpty else { return }
    var z = 0
    while z < source.shape.z {
        let range = z..<min(z + 2, source.shape.z)
        guard let slab = try? source.readSlices(range) else { return }
        _ = slab.valueRange
        z = range.upperBound
    }
}
