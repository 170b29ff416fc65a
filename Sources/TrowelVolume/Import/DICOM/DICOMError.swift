import Foundation

/// Why a DICOM series could not be imported: one line naming the file (or the two files around a
/// gap) and what is wrong, with what to do about it where there is a choice.
public enum DICOMError: Error, Equatable, Sendable, CustomStringConvertible {
    /// GDCM could not parse the file's header.
    case unreadable(file: String, reason: String)
    /// The inputs hold no DICOM file (none with the `DICM` signature).
    case noDICOMFiles(in: String)
    /// Every DICOM file found lacks pixel data (reports, DICOMDIR, presentation states).
    case noImages(in: String)
    /// A file of the chosen series has no Pixel Data element.
    case noPixelData(file: String)
    /// A file's pixel data runs past its end.
    case truncated(file: String)
    /// A file's uncompressed Pixel Data element holds fewer bytes than its frames need.
    case shortPixelData(file: String, bytes: Int, needed: Int, frames: Int, rows: Int, columns: Int, bitsAllocated: Int)
    /// A file holds colour (or several samples per pixel) rather than one grey value.
    case colour(file: String, samplesPerPixel: Int, photometric: String)
    /// Samples of a width Trowel does not read (BitsAllocated other than 8, 16 or 32).
    case unsupportedSamples(file: String, bitsAllocated: Int)
    /// A slice's size differs from the series' first file.
    case sizeMismatch(file: String, size: SliceSize, firstFile: String, expected: SliceSize)
    /// A slice's sample type differs from the series' first file.
    case sampleMismatch(file: String, found: String, firstFile: String, expected: String)
    /// A slice lies in another plane than the series' first file.
    case orientationMismatch(file: String, firstFile: String)
    /// Some files of the series record their position and this one does not.
    case missingPosition(file: String)
    /// A multi-frame file gives neither frame positions nor a slice spacing.
    case framesWithoutSpacing(file: String)
    /// Two slices lie at the same position along the normal.
    case samePosition(file: String, otherFile: String, position: Double)
    /// The distance between two neighbouring slices differs from the series' spacing.
    case uneven(file: String, position: Double, nextFile: String, nextPosition: Double, spacing: Double)
    /// `--series` names no series found (or a prefix several share).
    case unknownSeries(String, available: [String])
    /// The pixel data could not be decoded.
    case decodeFailed(file: String, reason: String)

    public var description: String {
        func mm(_ v: Double) -> String { String(format: "%.4g mm", v) }
        func name(_ file: String, near other: String) -> String {
            (file as NSString).deletingLastPathComponent == (other as NSString).deletingLastPathComponent
                ? (file as NSString).lastPathComponent : file
        }
        switch self {
        case .unreadable(let file, let reason):
            return "\(file): cannot read as DICOM: \(reason)"
        case .noDICOMFiles(let input):
            return "no DICOM files in \(input) (files with the DICM signature at byte 128)"
        case .noImages(let input):
            return "\(input): no DICOM file there has pixel data (only reports, directories or other objects without images)"
        case .noPixelData(let file):
            return "\(file): DICOM file without pixel data, in the series being imported; remove it or choose another series with --series"
        case .truncated(let file):
            return "\(file): the pixel data is cut short (the file is truncated, or still being copied)"
        case .shortPixelData(let file, let bytes, let needed, let frames, let rows, let columns, let bits):
            let what = frames == 1 ? "one \(columns) × \(rows) frame" : "\(frames) frames of \(columns) × \(rows)"
            return "\(file): the pixel data holds \(bytes) bytes, but \(what) \(bits)-bit samples need \(needed) (a damaged header or pixel data)"
        case .colour(let file, let samples, let photometric):
            return "\(file): \(photometric.isEmpty ? "colour" : photometric) image with \(samples) samples per pixel; Trowel imports greyscale scans only"
        case .unsupportedSamples(let file, let bits):
            return "\(file): \(bits)-bit samples (BitsAllocated); Trowel reads 8, 16 and 32-bit DICOM samples"
        case .sizeMismatch(let file, let size, let first, let expected):
            return "\(file): \(size) pixels, but the series' first file \(name(first, near: file)) is \(expected)"
        case .sampleMismatch(let file, let found, let first, let expected):
            return "\(file): \(found) samples, but the series' first file \(name(first, near: file)) has \(expected)"
        case .orientationMismatch(let file, let first):
            return "\(file): slice orientation (ImageOrientationPatient) differs from the series' first file \(name(first, near: file))"
        case .missingPosition(let file):
            return "\(file): no ImagePositionPatient, though other slices of the series have one; cannot place it in the stack"
        case .framesWithoutSpacing(let file):
            return "\(file): multi-frame file with neither per-frame positions nor SpacingBetweenSlices; give --voxel-size and convert it as single frames"
        case .samePosition(let file, let other, let position):
            return "\(file) and \(name(other, near: file)) lie at the same position (\(mm(position)) along the slice normal); the folder may hold two acquisitions under one series UID"
        case .uneven(let file, let position, let next, let nextPosition, let spacing):
            return "uneven slice spacing: \(mm(nextPosition - position)) between \(file) (at \(mm(position))) and \(name(next, near: file)) (at \(mm(nextPosition))), \(mm(spacing)) elsewhere; a slice may be missing (--allow-gaps imports it anyway with \(mm(spacing)))"
        case .unknownSeries(let uid, let available):
            return "--series \(uid): no such series here; found \(available.joined(separator: ", ")) (see --list-series)"
        case .decodeFailed(let file, let reason):
            return "\(file): cannot decode the pixel data: \(reason)"
        }
    }
}
