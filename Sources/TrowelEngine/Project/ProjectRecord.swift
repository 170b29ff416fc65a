import Foundation
import GRDB
import TrowelVolume

/// What a project knows about its scan: where it came from and what its voxels are.
public struct ProjectRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "project"

    /// Always 1: the table has one row.
    public var id = 1
    public var createdAt: Date
    public var trowelVersion: String
    /// One line: what was imported ("412 TIFF slices in /data/scan (uint16)").
    public var sourceSummary: String
    public var dtype: String
    public var shapeZ: Int
    public var shapeY: Int
    public var shapeX: Int
    /// Micrometres per voxel.
    public var voxelZ: Double
    public var voxelY: Double
    public var voxelX: Double
    public var valueMin: Double
    public var valueMax: Double
    public var valueMean: Double
    /// 0.5 and 99.5 percentiles, for auto-contrast.
    public var valueLow: Double
    public var valueHigh: Double

    enum CodingKeys: String, CodingKey {
        case id, createdAt = "created_at", trowelVersion = "trowel_version", sourceSummary = "source_summary", dtype
        case shapeZ = "shape_z", shapeY = "shape_y", shapeX = "shape_x"
        case voxelZ = "voxel_z", voxelY = "voxel_y", voxelX = "voxel_x"
        case valueMin = "value_min", valueMax = "value_max", valueMean = "value_mean"
        case valueLow = "value_low", valueHigh = "value_high"
    }

    public var shape: Shape { Shape(z: shapeZ, y: shapeY, x: shapeX) }
    public var voxelSize: VoxelSize { VoxelSize(z: voxelZ, y: voxelY, x: voxelX) }
    public var values: ValueSummary {
        ValueSummary(minimum: valueMin, maximum: valueMax, mean: valueMean, low: valueLow, high: valueHigh)
    }

    public init(createdAt: Date = Date(), sourceSummary: String, dtype: DType, shape: Shape, voxelSize: VoxelSize,
                values: ValueSummary) {
        self.createdAt = createdAt
        self.trowelVersion = Trowel.version
        self.sourceSummary = sourceSummary
        self.dtype = dtype.rawValue
        (shapeZ, shapeY, shapeX) = (shape.z, shape.y, shape.x)
        (voxelZ, voxelY, voxelX) = (voxelSize.z, voxelSize.y, voxelSize.x)
        (valueMin, valueMax, valueMean) = (values.minimum, values.maximum, values.mean)
        (valueLow, valueHigh) = (values.low, values.high)
    }
}
