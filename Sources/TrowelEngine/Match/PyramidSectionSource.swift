import Foundation
import TrowelML
import TrowelVolume

/// A project's OME-Zarr pyramid as the section matcher reads it. A level small enough
/// (≤ 16 M voxels: the coarse pass reads every slice of it along each axis) is read whole once
/// and cut into planes; finer levels are read a slice at a time through the chunk cache.
final class PyramidSectionSource: SectionSource {
    let volume: MultiscaleVolume
    private var wholeLevels: [Int: Block<Float>] = [:]
    static let wholeLevelVoxels = 16 << 20

    init(volume: MultiscaleVolume) { self.volume = volume }

    var levelCount: Int { volume.levels.count }

    func shape(level: Int) -> Shape { volume.levels[level].shape }

    func plane(axis: Axis, index: Int, level: Int) throws -> GreyPlane {
        let shape = shape(level: level)
        let (rows, columns) = axis.planeAxes
        let box = Box.slice(axis: axis, at: index, of: shape)
        if shape.voxelCount <= Self.wholeLevelVoxels {
            if wholeLevels[level] == nil {
                wholeLevels[level] = try volume.read(Box(z: 0..<shape.z, y: 0..<shape.y, x: 0..<shape.x), level: level).converted(to: Float.self)
            }
            return GreyPlane(height: shape[rows], width: shape[columns], values: wholeLevels[level]!.cropped(to: box).elements)
        }
        let block = try volume.read(box, level: level).converted(to: Float.self)
        return GreyPlane(height: shape[rows], width: shape[columns], values: block.elements)
    }
}
