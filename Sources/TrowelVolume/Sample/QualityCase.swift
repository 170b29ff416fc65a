import Foundation

/// One case of a segmentation-quality benchmark, as a folder:
///
/// - `meta.json`: name, shape (z, y, x), dtype, classes, target class, labelled and scored slices,
///   source, licence, description, voxel size;
/// - `scan.raw`: the voxels, little-endian, C order (z, y, x), of `dtype`;
/// - `labels.u8`: sparse training labels (1 bone, 2 matrix) on the labelled slices only, dense there
///   except for a one-voxel unlabelled rim at class boundaries (a user's strokes do not touch the
///   exact edge); 0 elsewhere;
/// - `truth.u8`: the full truth, 1 bone, 2 matrix.
public struct QualityCase: Sendable {
    public var name: String
    public var description: String
    /// e.g. "generated: thin-bone seed 1".
    public var source: String
    public var labelledSlices: [Int]
    public var scoredSlices: [Int]

    public init(name: String, description: String, source: String, labelledSlices: [Int], scoredSlices: [Int]) {
        self.name = name
        self.description = description
        self.source = source
        self.labelledSlices = labelledSlices
        self.scoredSlices = scoredSlices
    }

    /// Every slice at distance ≥ `gap` from all labelled slices, thinned to at most `limit` evenly
    /// spread ones.
    public static func scoredSlices(depth: Int, labelled: [Int], gap: Int = 2, limit: Int = 24) -> [Int] {
        let free = (0..<depth).filter { z in labelled.allSatisfy { abs($0 - z) >= gap } }
        guard free.count > limit, limit > 0 else { return free }
        var picked: [Int] = []
        for n in 0..<limit {
            let z = free[Int((Double(n) + 0.5) * Double(free.count) / Double(limit))]
            if picked.last != z { picked.append(z) }
        }
        return picked
    }

    /// Training labels from the truth: the truth on `slices`, except voxels whose in-plane
    /// 4-neighbours include another class; 0 everywhere else.
    public static func sparseLabels(truth: Block<UInt8>, slices: [Int]) -> Block<UInt8> {
        let s = truth.shape
        var labels = Block<UInt8>(shape: s, repeating: 0)
        let plane = s.y * s.x
        for z in slices where z >= 0 && z < s.z {
            for y in 0..<s.y {
                for x in 0..<s.x {
                    let n = z * plane + y * s.x + x
                    let t = truth.elements[n]
                    guard t != 0 else { continue }
                    let edge = (x > 0 && truth.elements[n - 1] != t) || (x + 1 < s.x && truth.elements[n + 1] != t)
                        || (y > 0 && truth.elements[n - s.x] != t) || (y + 1 < s.y && truth.elements[n + s.x] != t)
                    if !edge { labels.elements[n] = t }
                }
            }
        }
        return labels
    }

    /// `meta.json`: what a reader of the folder needs (the benchmark, `Scripts/reference-quality.py`).
    /// `Scripts/make-real-quality-scans.py` writes the same keys.
    public struct Meta: Codable, Sendable, Equatable {
        public var name: String
        public var z: Int
        public var y: Int
        public var x: Int
        /// numpy's name of the scan's element type ("uint16").
        public var dtype: String
        /// Class id (as text) → name; class `targetClass` is the one scored.
        public var classes: [String: String]
        public var targetClass: Int
        public var labelledSlices: [Int]
        public var scoredSlices: [Int]
        public var source: String
        public var licence: String
        public var description: String
        /// Micrometres per voxel (z, y, x), when known.
        public var voxelSize: [Double]?

        enum CodingKeys: String, CodingKey {
            case name, z, y, x, dtype, classes, targetClass = "target_class", labelledSlices = "labelled_slices"
            case scoredSlices = "scored_slices", source, licence, description, voxelSize = "voxel_size"
        }

        /// The voxel size is written as null when unknown (readers look for the key).
        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(name, forKey: .name)
            try c.encode(z, forKey: .z)
            try c.encode(y, forKey: .y)
            try c.encode(x, forKey: .x)
            try c.encode(dtype, forKey: .dtype)
            try c.encode(classes, forKey: .classes)
            try c.encode(targetClass, forKey: .targetClass)
            try c.encode(labelledSlices, forKey: .labelledSlices)
            try c.encode(scoredSlices, forKey: .scoredSlices)
            try c.encode(source, forKey: .source)
            try c.encode(licence, forKey: .licence)
            try c.encode(description, forKey: .description)
            try c.encode(voxelSize, forKey: .voxelSize)
        }

        public var shape: Shape { Shape(z: z, y: y, x: x) }

        /// The scan's element type, or nil for a dtype Trowel does not read.
        public var elementType: DType? { DType.allCases.first { $0.numpyName == dtype } }
    }

    /// This case's `meta.json` for a scan of `shape` and `dtype`.
    public func meta(shape: Shape, dtype: DType) -> Meta {
        Meta(name: name, z: shape.z, y: shape.y, x: shape.x, dtype: dtype.numpyName, classes: ["1": "bone", "2": "matrix"],
             targetClass: 1, labelledSlices: labelledSlices, scoredSlices: scoredSlices, source: source,
             licence: "generated by Trowel", description: description, voxelSize: nil)
    }

    /// `meta.json`'s text.
    public func metaJSON(shape: Shape, dtype: DType) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(meta(shape: shape, dtype: dtype))
    }

    /// Writes the folder (created if missing; the four files replaced).
    public func write(image: AnyBlock, truth: Block<UInt8>, to folder: URL) throws {
        precondition(image.shape == truth.shape, "scan and truth differ in shape")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try metaJSON(shape: image.shape, dtype: image.dtype).write(to: folder.appendingPathComponent("meta.json"), options: .atomic)
        try Self.littleEndianBytes(image).write(to: folder.appendingPathComponent("scan.raw"), options: .atomic)
        let labels = Self.sparseLabels(truth: truth, slices: labelledSlices)
        try Data(labels.elements).write(to: folder.appendingPathComponent("labels.u8"), options: .atomic)
        try Data(truth.elements).write(to: folder.appendingPathComponent("truth.u8"), options: .atomic)
    }

    static func littleEndianBytes(_ image: AnyBlock) -> Data {
        func bytes<T: FixedWidthInteger>(_ values: [T]) -> Data {
            values.map { $0.littleEndian }.withUnsafeBytes { Data($0) }
        }
        switch image {
        case .u8(let b): return Data(b.elements)
        case .u16(let b): return bytes(b.elements)
        case .i16(let b): return bytes(b.elements)
        case .u32(let b): return bytes(b.elements)
        case .i32(let b): return bytes(b.elements)
        case .f32(let b): return bytes(b.elements.map(\.bitPattern))
        case .f64(let b): return bytes(b.elements.map(\.bitPattern))
        }
    }
}
