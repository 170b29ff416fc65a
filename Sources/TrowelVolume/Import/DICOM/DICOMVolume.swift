import Foundation

/// One DICOM series (single-frame files, or multi-frame ones) as a stack of slices in position
/// order, with RescaleSlope/Intercept applied: int16 where the values fit (CT's Hounsfield units),
/// uint16 for integer values above int16 (raw detector counts), float32 otherwise. Streamed: each
/// slab decodes only its own files' (or frames') pixel data.
public struct DICOMVolume: SliceSource {
    public let series: DICOMSeries
    public let shape: Shape
    public let dtype: DType
    public let recordedVoxelSize: VoxelSize?
    /// What the import had to assume or allow (no positions, `--allow-gaps`), to be said to the user.
    public let note: String?
    let order: DICOMSliceOrder

    /// Checks every file of `series` (pixel data present, grey, one size and sample type, one
    /// orientation) and orders its slices. Throws `DICOMError` naming the first file at fault, or
    /// the two files around an uneven gap unless `allowGaps`.
    public init(series: DICOMSeries, allowGaps: Bool = false) throws {
        let first = series.headers[0]
        for h in series.headers {
            guard h.hasPixelData else { throw DICOMError.noPixelData(file: h.path) }
            guard !h.isTruncated else { throw DICOMError.truncated(file: h.path) }
            guard h.samplesPerPixel == 1 else {
                throw DICOMError.colour(file: h.path, samplesPerPixel: h.samplesPerPixel, photometric: h.photometric)
            }
            guard [8, 16, 32].contains(h.bitsAllocated) else {
                throw DICOMError.unsupportedSamples(file: h.path, bitsAllocated: h.bitsAllocated)
            }
            // No Rows or Columns (a tag damaged into another) is an empty image, not a slice; the
            // value range of its no samples would be empty (found by Fuzz/fuzz-dicom as a trap).
            guard h.rows > 0, h.columns > 0 else {
                throw DICOMError.unreadable(file: h.path, reason: "its image is \(h.columns) × \(h.rows) pixels (Columns × Rows missing or 0)")
            }
            // Uncompressed samples are read straight from the file; a Pixel Data element holding
            // fewer bytes than its frames need is a damaged header or element (GDCM would "decode"
            // it by reading past the element), never a scan to import.
            if let pixels = h.uncompressedPixels, let needed = h.uncompressedFrameBytes, pixels.length < needed {
                throw DICOMError.shortPixelData(file: h.path, bytes: pixels.length, needed: needed,
                                                frames: h.frames, rows: h.rows, columns: h.columns, bitsAllocated: h.bitsAllocated)
            }
            guard h.rows == first.rows, h.columns == first.columns else {
                throw DICOMError.sizeMismatch(file: h.path, size: SliceSize(width: h.columns, height: h.rows),
                                              firstFile: first.path, expected: SliceSize(width: first.columns, height: first.rows))
            }
            guard h.bitsAllocated == first.bitsAllocated, h.isSigned == first.isSigned else {
                throw DICOMError.sampleMismatch(file: h.path, found: Self.sampleName(h), firstFile: first.path,
                                                expected: Self.sampleName(first))
            }
        }
        let order = try DICOMSliceOrder(headers: series.headers, allowGaps: allowGaps)
        let shape = Shape(z: order.slices.count, y: first.rows, x: first.columns)
        if let problem = shape.sizeProblem {
            throw DICOMError.unreadable(file: first.path, reason: "the series' \(problem)")
        }
        self.series = series
        self.order = order
        self.shape = shape
        self.note = order.note
        self.dtype = try Self.outputType(series.headers, order: order)
        if let spacing = first.pixelSpacing, spacing.rows > 0, spacing.columns > 0 {
            let z = order.spacing ?? min(spacing.rows, spacing.columns)
            recordedVoxelSize = VoxelSize(z: z * 1000, y: spacing.rows * 1000, x: spacing.columns * 1000)
        } else {
            recordedVoxelSize = nil
        }
    }

    /// GDCM's data dictionaries and parsing state: 3.5–4.2 MB measured (peak RSS of `convert
    /// --list-series` on 4 and 512 files against `convert --help`).
    public var workingMemoryBytes: Int { 4 << 20 }

    public var summary: String {
        let s = shape.z == 1 ? "" : "s"
        let what = series.headers.count == 1 && series.headers[0].frames > 1
            ? "\(shape.z) DICOM frame\(s) in \(series.headers[0].path)" : "\(shape.z) DICOM slice\(s) in \(series.folder)"
        let kind = [series.modality, series.transferSyntaxes.joined(separator: "+"), "\(dtype)"].filter { !$0.isEmpty }
        return "\(what) (\(kind.joined(separator: ", "))), series \(series.uid)"
    }

    public func readSlices(_ range: Range<Int>) throws -> AnyBlock {
        precondition(range.lowerBound >= 0 && range.upperBound <= shape.z, "DICOMVolume: slices \(range) outside 0..<\(shape.z)")
        let planeBytes = shape.y * shape.x * dtype.size
        return try AnyBlock.filling(dtype: dtype, shape: Shape(z: range.count, y: shape.y, x: shape.x)) { buffer in
            var z = range.lowerBound
            while z < range.upperBound {
                // Consecutive frames of one multi-frame file are decoded in one call.
                let slice = order.slices[z]
                var end = z + 1
                while end < range.upperBound, order.slices[end].header == slice.header,
                      order.slices[end].frame == slice.frame + (end - z) { end += 1 }
                let bytes = ((z - range.lowerBound) * planeBytes)..<((end - range.lowerBound) * planeBytes)
                try DICOMSampleDecoder.read(series.headers[slice.header], frames: slice.frame..<(slice.frame + end - z), as: dtype,
                                            into: UnsafeMutableRawBufferPointer(rebasing: buffer[bytes]))
                z = end
            }
        }
    }

    /// int16 when the rescaled values are integers that fit, judged from BitsStored or, when that
    /// range does not fit, from the values themselves (one decoding pass); then uint16; else float32.
    static func outputType(_ headers: [DICOMHeader], order: DICOMSliceOrder) throws -> DType {
        guard headers.allSatisfy({ $0.rescale.keepsIntegers }) else { return .f32 }
        func fits(_ range: ClosedRange<Double>, _ dtype: DType) -> Bool {
            let limits = dtype.integerRange!
            return range.lowerBound >= limits.lowerBound && range.upperBound <= limits.upperBound
        }
        let declared = headers.map { $0.rescale.values(of: $0.storedRange) }
            .reduce(nil as ClosedRange<Double>?) { r, v in r.map { min($0.lowerBound, v.lowerBound)...max($0.upperBound, v.upperBound) } ?? v }!
        if fits(declared, .i16) { return .i16 }
        var lo = Double.infinity, hi = -Double.infinity
        for slice in order.slices {
            let r = try DICOMSampleDecoder.valueRange(headers[slice.header], frame: slice.frame)
            lo = min(lo, r.lowerBound)
            hi = max(hi, r.upperBound)
        }
        if fits(lo...hi, .i16) { return .i16 }
        if fits(lo...hi, .u16) { return .u16 }
        return .f32
    }

    static func sampleName(_ h: DICOMHeader) -> String { "\(h.bitsAllocated)-bit \(h.isSigned ? "signed" : "unsigned")" }
}
