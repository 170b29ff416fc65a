import Foundation
import TrowelVolume

/// What `trowel convert DIR --list-series` prints: every DICOM series found, largest first, with
/// what tells them apart (slices, size, modality, description, compression) and which one a convert
/// would take.
struct DICOMSeriesListing: Encodable {
    struct Row: Encodable {
        var uid: String
        @NullWhenAbsent var number: Int?
        var modality: String
        var description: String
        var files: Int
        var slices: Int
        @NullWhenAbsent var rows: Int?
        @NullWhenAbsent var columns: Int?
        var transferSyntaxes: [String]
        var folder: String
        /// The series `trowel convert` with the same options imports.
        var chosen: Bool

        enum CodingKeys: String, CodingKey {
            case uid, number, modality, description, files, slices, rows, columns, folder, chosen
            case transferSyntaxes = "transfer_syntaxes"
        }
    }

    var input: String
    var series: [Row]

    /// The rows of `found`; `chosen` is the `--series` value, if any (else the largest is marked).
    init(_ found: DICOMSeriesSet, chosen: String?) {
        input = found.input
        let pick = (try? found.choose(chosen))?.uid
        series = found.series.map { s in
            Row(uid: s.uid, number: s.number, modality: s.modality, description: s.seriesDescription, files: s.headers.count,
                slices: s.slices, rows: s.sliceSize?.height, columns: s.sliceSize?.width,
                transferSyntaxes: s.transferSyntaxes, folder: s.folder, chosen: s.uid == pick)
        }
    }

    var text: String {
        let n = series.count
        var lines = ["\(n) DICOM series in \(input)\(n > 1 ? " (* = what convert imports; --series UID picks another)" : ""):"]
        for row in series {
            let size = row.columns.map { "\($0)×\(row.rows ?? 0)" } ?? "no images"
            var parts = ["\(row.chosen ? "*" : " ") \(row.uid)", "\(row.slices) slice\(row.slices == 1 ? "" : "s") of \(size)"]
            if !row.modality.isEmpty { parts.append(row.modality) }
            if let number = row.number { parts.append("series \(number)") }
            if !row.description.isEmpty { parts.append("\"\(row.description)\"") }
            parts.append(row.transferSyntaxes.joined(separator: ", "))
            if row.files != row.slices { parts.append("\(row.files) file\(row.files == 1 ? "" : "s")") }
            parts.append(row.folder)
            lines.append(parts.joined(separator: "  "))
        }
        return lines.joined(separator: "\n")
    }
}
