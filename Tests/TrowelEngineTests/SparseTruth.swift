import TrowelVolume

/// The phantom's ground truth on a few slices, on every other voxel (a checkerboard), 0 elsewhere:
/// sparse labels as a user would paint them, with a known answer.
struct SparseTruth: SliceSource {
    let phantom: FossilPhantom
    let slices: Set<Int>
    var shape: Shape { phantom.shape }
    var dtype: DType { .u8 }
    var summary: String { "sparse truth" }

    func readSlices(_ range: Range<Int>) throws -> AnyBlock {
        var b = phantom.truthSlices(range)
        let (ny, nx) = (shape.y, shape.x)
        for i in b.elements.indices {
            let z = range.lowerBound + i / (ny * nx), y = (i / nx) % ny, x = i % nx
            if !slices.contains(z) || (x + y) % 2 == 1 { b.elements[i] = 0 }
        }
        return .u8(b)
    }
}
