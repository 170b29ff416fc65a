import TrowelVolume

/// A label volume that post-processing reads and writes block by block. A sweep reads each block
/// once; the last sweep writes each block right after reading it, so a volume that writes in place
/// never has a block read after it was rewritten.
protocol PostProcessingVolume {
    associatedtype Failure: Error
    /// The uint8 class ids in `box`.
    func read(_ box: Box) throws(Failure) -> Block<UInt8>
    /// Stores `block` with its first voxel at `origin`.
    mutating func write(_ block: Block<UInt8>, at origin: Index3) throws(Failure)
}

/// A label volume held in memory, rewritten in place.
struct InMemoryLabels: PostProcessingVolume {
    var volume: Block<UInt8>

    func read(_ box: Box) -> Block<UInt8> {
        box == volume.shape.box ? volume : volume.cropped(to: box)
    }

    mutating func write(_ block: Block<UInt8>, at origin: Index3) {
        if block.shape == volume.shape {
            volume = block
        } else {
            volume.copy(from: block, at: origin, into: .zero)
        }
    }
}
