import CGDCM
import Foundation

/// What one DICOM file's header says about its pixels: size, sample type, where the slice lies and
/// how stored samples scale to real values. Read through GDCM, stopping before the pixel data.
public struct DICOMHeader: Sendable {
    public var file: URL
    /// The file's path as the user gave it (relative paths stay relative), for messages.
    public var path: String
    public var rows: Int
    public var columns: Int
    /// NumberOfFrames (1 for an ordinary slice file).
    public var frames: Int
    public var samplesPerPixel: Int
    public var bitsAllocated: Int
    public var bitsStored: Int
    /// PixelRepresentation 1: two's-complement samples.
    public var isSigned: Bool
    public var hasPixelData: Bool
    /// The pixel data runs past the end of the file (truncated, or still being copied).
    public var isTruncated: Bool
    /// Where uncompressed little-endian pixel data lies in the file (offset, length), read directly
    /// without GDCM; nil for compressed or big-endian data.
    var uncompressedPixels: (offset: Int, length: Int)?
    /// ImagePositionPatient of the (first) frame, in mm.
    public var position: PatientVector?
    /// ImageOrientationPatient: the directions of a row and of a column.
    public var orientation: (row: PatientVector, column: PatientVector)?
    /// PixelSpacing in mm: between rows (y), then between columns (x).
    public var pixelSpacing: (rows: Double, columns: Double)?
    public var rescale: DICOMRescale
    public var spacingBetweenSlices: Double?
    public var sliceThickness: Double?
    public var instanceNumber: Int?
    public var seriesNumber: Int?
    /// Whether an enhanced multi-frame file gives each frame its own position.
    public var hasFramePositions: Bool
    public var seriesUID: String
    public var transferSyntaxUID: String
    public var sopClassUID: String
    public var modality: String
    public var photometric: String
    public var seriesDescription: String

    /// Reads the header of `file`; throws `DICOMError.unreadable` naming it when GDCM cannot parse it.
    public init(reading file: URL) throws(DICOMError) {
        var h = TrowelDICOMHeader()
        var message = [CChar](repeating: 0, count: 512)
        let status = trowel_dicom_read_header(file.relativePath, &h, &message, message.count)
        guard status == Int32(TROWEL_DICOM_OK.rawValue) else {
            throw .unreadable(file: file.relativePath, reason: String(cString: message))
        }
        self.file = file
        path = file.relativePath
        rows = Int(h.rows)
        columns = Int(h.columns)
        frames = max(1, Int(h.frames))
        samplesPerPixel = Int(h.samples_per_pixel)
        bitsAllocated = Int(h.bits_allocated)
        bitsStored = Int(h.bits_stored)
        isSigned = h.pixel_representation == 1
        hasPixelData = h.has_pixel_data != 0
        isTruncated = h.pixel_data_truncated != 0
        let native = ["1.2.840.10008.1.2", "1.2.840.10008.1.2.1"]
        if hasPixelData, h.pixel_data_length != 0xFFFF_FFFF, native.contains(Self.string(h.transfer_syntax_uid)) {
            uncompressedPixels = (Int(h.pixel_data_offset), Int(h.pixel_data_length))
        }
        position = h.has_position != 0 ? PatientVector(h.position) : nil
        if h.has_orientation != 0 {
            let o = h.orientation
            orientation = (PatientVector(x: o.0, y: o.1, z: o.2), PatientVector(x: o.3, y: o.4, z: o.5))
        }
        pixelSpacing = h.has_pixel_spacing != 0 ? (h.pixel_spacing.0, h.pixel_spacing.1) : nil
        rescale = DICOMRescale(slope: h.rescale_slope, intercept: h.rescale_intercept)
        spacingBetweenSlices = h.has_spacing_between_slices != 0 ? h.spacing_between_slices : nil
        sliceThickness = h.has_slice_thickness != 0 ? h.slice_thickness : nil
        instanceNumber = h.has_instance_number != 0 ? Int(h.instance_number) : nil
        seriesNumber = h.has_series_number != 0 ? Int(h.series_number) : nil
        hasFramePositions = h.has_frame_positions != 0
        seriesUID = Self.string(h.series_uid)
        transferSyntaxUID = Self.string(h.transfer_syntax_uid)
        sopClassUID = Self.string(h.sop_class_uid)
        modality = Self.string(h.modality)
        photometric = Self.string(h.photometric)
        seriesDescription = Self.string(h.series_description)
    }

    /// The positions of every frame of a multi-frame file, as its per-frame functional groups give them.
    func framePositions() throws(DICOMError) -> [PatientVector] {
        var values = [Double](repeating: 0, count: 3 * frames)
        var message = [CChar](repeating: 0, count: 512)
        let status = trowel_dicom_frame_positions(file.path, Int32(frames), &values, &message, message.count)
        guard status == Int32(TROWEL_DICOM_OK.rawValue) else {
            throw .unreadable(file: path, reason: String(cString: message))
        }
        return (0..<frames).map { PatientVector(x: values[3 * $0], y: values[3 * $0 + 1], z: values[3 * $0 + 2]) }
    }

    /// The bytes of all frames as uncompressed samples (frames × rows × columns × BitsAllocated / 8),
    /// or nil when that overflows `Int` (a header no file can back).
    var uncompressedFrameBytes: Int? {
        var total = max(1, bitsAllocated / 8)
        for factor in [frames, rows, columns] {
            let (product, overflow) = total.multipliedReportingOverflow(by: factor)
            if overflow { return nil }
            total = product
        }
        return total
    }

    /// The range of values the stored samples can take (BitsStored, signed or not).
    var storedRange: ClosedRange<Double> {
        let bits = Double(max(1, bitsStored))
        return isSigned ? -pow(2, bits - 1)...(pow(2, bits - 1) - 1) : 0...(pow(2, bits) - 1)
    }

    /// The name of the transfer syntax (compression), e.g. "JPEG-LS lossless".
    public var transferSyntaxName: String { Self.transferSyntaxNames[transferSyntaxUID] ?? transferSyntaxUID }

    static let transferSyntaxNames: [String: String] = [
        "1.2.840.10008.1.2": "implicit VR little endian",
        "1.2.840.10008.1.2.1": "explicit VR little endian",
        "1.2.840.10008.1.2.1.99": "deflated explicit VR little endian",
        "1.2.840.10008.1.2.2": "explicit VR big endian",
        "1.2.840.10008.1.2.5": "RLE lossless",
        "1.2.840.10008.1.2.4.50": "JPEG baseline (lossy)",
        "1.2.840.10008.1.2.4.51": "JPEG extended (lossy)",
        "1.2.840.10008.1.2.4.57": "JPEG lossless",
        "1.2.840.10008.1.2.4.70": "JPEG lossless",
        "1.2.840.10008.1.2.4.80": "JPEG-LS lossless",
        "1.2.840.10008.1.2.4.81": "JPEG-LS near-lossless",
        "1.2.840.10008.1.2.4.90": "JPEG 2000 lossless",
        "1.2.840.10008.1.2.4.91": "JPEG 2000",
    ]

    private static func string<T>(_ tuple: T) -> String {
        withUnsafeBytes(of: tuple) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}
