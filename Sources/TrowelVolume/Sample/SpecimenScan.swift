import Foundation

/// A generated specimen (`SpecimenPhantom`) as a slice source, so it can be imported like any scan.
/// The voxels are generated once and held (a specimen is small: 128³ is 2 MiB).
public struct SpecimenScan: SliceSource {
    public let phantom: SpecimenPhantom
    let block: Block<UInt8>

    public init(_ phantom: SpecimenPhantom) {
        self.phantom = phantom
        block = phantom.volume()
    }

    public var shape: Shape { block.shape }
    public var dtype: DType { .u8 }
    public var summary: String { "generated \(phantom.plan.rawValue) specimen \(phantom.side)³ (seed \(phantom.seed))" }

    public func readSlices(_ range: Range<Int>) throws -> AnyBlock {
        AnyBlock(block.cropped(to: Box(z: range, y: 0..<shape.y, x: 0..<shape.x)))
    }
}
