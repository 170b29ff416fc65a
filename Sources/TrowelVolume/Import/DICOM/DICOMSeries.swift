import Foundation

/// The DICOM files of one SeriesInstanceUID, in file name order as found (the volume orders them
/// by position), with what `--list-series` shows about them.
public struct DICOMSeries: Sendable {
    public let uid: String
    public let headers: [DICOMHeader]

    public init(uid: String, headers: [DICOMHeader]) {
        self.uid = uid
        self.headers = headers
    }

    var first: DICOMHeader { headers[0] }
    public var modality: String { first.modality }
    public var number: Int? { first.seriesNumber }
    public var seriesDescription: String { first.seriesDescription }
    public var transferSyntaxes: [String] { Array(Set(headers.map(\.transferSyntaxName))).sorted() }

    /// Files with pixel data in this series.
    public var imageFiles: Int { headers.filter(\.hasPixelData).count }
    /// Slices (frames) with pixel data.
    public var slices: Int { headers.filter(\.hasPixelData).reduce(0) { $0 + $1.frames } }
    /// Voxels with pixel data: what "the largest series" means.
    public var voxelCount: Int { headers.filter(\.hasPixelData).reduce(0) { $0 + $1.frames * $1.rows * $1.columns } }

    /// The size of a slice, as `columns×rows` (from the first file with pixel data).
    public var sliceSize: SliceSize? {
        headers.first(where: \.hasPixelData).map { SliceSize(width: $0.columns, height: $0.rows) }
    }

    /// The folder the files are in (their common parent), for listings.
    public var folder: String {
        let parents = Set(headers.map { ($0.path as NSString).deletingLastPathComponent })
        return parents.count == 1 ? parents.first! : "\(parents.count) folders"
    }
}
