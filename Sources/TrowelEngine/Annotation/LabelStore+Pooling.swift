import TrowelVolume

extension LabelStore {
    /// The labels on a pyramid level `level` halvings down (`levelShape` its size): each level voxel
    /// takes a painted label of its 2^level cell (0 where none is), as the 3D view shades them.
    /// Reads only the chunks that exist — painting leaves most of a scan without label chunks —
    /// including chunks another session wrote; unreadable chunks count as unlabelled.
    public func pooled(level: Int, shape levelShape: Shape) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: levelShape.voxelCount)
        guard let array else { return out }
        let unreadable = Set(damage.filter { $0.kind != .missing }.map(\.chunk))
        let grid = array.chunkGrid
        for z in 0..<grid.z {
            for y in 0..<grid.y {
                for x in 0..<grid.x {
                    let chunk = Index3(z: z, y: y, x: x)
                    guard !unreadable.contains(chunk), array.chunkExists(chunk) else { continue }
                    let box = array.chunkBox(chunk).intersection(shape.box)
                    guard !box.isEmpty else { continue }
                    let block = try array.read(box, as: UInt8.self)
                    Self.pool(block.elements, box: box, level: level, into: &out, shape: levelShape)
                }
            }
        }
        return out
    }

    private static func pool(_ labels: [UInt8], box: Box, level: Int, into out: inout [UInt8], shape s: Shape) {
        let b = box.shape
        labels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                var i = 0
                for z in 0..<b.z {
                    let lz = min(s.z - 1, (box.lower.z + z) >> level)
                    for y in 0..<b.y {
                        let row = (lz * s.y + min(s.y - 1, (box.lower.y + y) >> level)) * s.x
                        for x in 0..<b.x {
                            let v = src[i]
                            i += 1
                            if v != 0 { dst[row + min(s.x - 1, (box.lower.x + x) >> level)] = v }
                        }
                    }
                }
            }
        }
    }
}
