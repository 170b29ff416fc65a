import Foundation

/// The slices of a series in stack order: sorted by ImagePositionPatient projected on the slice
/// normal (ImageOrientationPatient's row × column), never by file name or InstanceNumber when
/// positions exist, with the spacing between them checked to be even.
struct DICOMSliceOrder: Sendable {
    /// One slice: which file, which frame in it, and its distance along the normal (mm).
    struct Slice: Sendable {
        var header: Int
        var frame: Int
        var position: Double
    }

    let slices: [Slice]
    /// The distance between neighbouring slices in mm (nil when nothing records it).
    let spacing: Double?
    /// How the order or spacing was decided where the files did not settle it, said once on import.
    let note: String?

    /// Orders `headers` (already checked to hold images of one size). An uneven spacing is an error
    /// naming the two files around it unless `allowGaps`; two slices at one position always are.
    init(headers: [DICOMHeader], allowGaps: Bool) throws(DICOMError) {
        let first = headers[0]
        guard headers.contains(where: { $0.position != nil }) else {
            (slices, spacing, note) = Self.unplaced(headers)
            return
        }
        if let unplaced = headers.first(where: { $0.position == nil }) { throw .missingPosition(file: unplaced.path) }
        var normal = PatientVector(x: 0, y: 0, z: 1)
        if let o = first.orientation {
            let n = o.row.cross(o.column)
            if n.length > 1e-6 { normal = n * (1 / n.length) }
        }
        var slices: [Slice] = []
        for (i, h) in headers.enumerated() {
            if let o = first.orientation {
                guard let other = h.orientation, other.row.isClose(to: o.row, tolerance: 1e-3),
                      other.column.isClose(to: o.column, tolerance: 1e-3) else {
                    throw .orientationMismatch(file: h.path, firstFile: first.path)
                }
            }
            let p = h.position!.dot(normal)
            if h.frames == 1 {
                slices.append(Slice(header: i, frame: 0, position: p))
            } else if h.hasFramePositions {
                for (k, position) in try h.framePositions().enumerated() {
                    slices.append(Slice(header: i, frame: k, position: position.dot(normal)))
                }
            } else {
                guard let step = h.spacingBetweenSlices ?? h.sliceThickness, step > 0 else { throw .framesWithoutSpacing(file: h.path) }
                for k in 0..<h.frames { slices.append(Slice(header: i, frame: k, position: p + Double(k) * step)) }
            }
        }
        slices.sort { ($0.position, $0.header, $0.frame) < ($1.position, $1.header, $1.frame) }
        func file(_ s: Slice) -> String {
            let path = headers[s.header].path
            return headers[s.header].frames > 1 ? "\(path) (frame \(s.frame + 1))" : path
        }
        let gaps = zip(slices, slices.dropFirst()).map { $1.position - $0.position }
        var note: String?
        var spacing = first.sliceThickness ?? first.spacingBetweenSlices
        if !gaps.isEmpty {
            let median = gaps.sorted()[gaps.count / 2]
            let tolerance = max(0.01 * median, 0.002)
            for (k, gap) in gaps.enumerated() where gap < tolerance {
                throw .samePosition(file: file(slices[k]), otherFile: file(slices[k + 1]), position: slices[k].position)
            }
            if let k = gaps.firstIndex(where: { abs($0 - median) > tolerance }) {
                let error = DICOMError.uneven(file: file(slices[k]), position: slices[k].position, nextFile: file(slices[k + 1]),
                                              nextPosition: slices[k + 1].position, spacing: median)
                guard allowGaps else { throw error }
                let uneven = gaps.filter { abs($0 - median) > tolerance }.count
                note = "\(uneven) uneven slice gap\(uneven == 1 ? "" : "s") (the first: \(file(slices[k])) to \(file(slices[k + 1]))); imported with --allow-gaps at \(String(format: "%.4g", median)) mm"
            }
            spacing = median
        }
        self.slices = slices
        self.spacing = spacing
        self.note = note
    }

    /// Slices with no ImagePositionPatient at all (secondary captures, some micro-CT exports): by
    /// InstanceNumber where every file has one, else by file name; spacing from the header.
    private static func unplaced(_ headers: [DICOMHeader]) -> ([Slice], Double?, String) {
        let byInstance = headers.allSatisfy { $0.instanceNumber != nil }
        let indices = headers.indices.sorted { a, b in
            byInstance && headers[a].instanceNumber != headers[b].instanceNumber
                ? headers[a].instanceNumber! < headers[b].instanceNumber! : a < b
        }
        let step = headers[0].spacingBetweenSlices ?? headers[0].sliceThickness
        var slices: [Slice] = []
        for i in indices {
            for k in 0..<headers[i].frames {
                slices.append(Slice(header: i, frame: k, position: Double(slices.count) * (step ?? 1)))
            }
        }
        let note = "no ImagePositionPatient: slices ordered by \(byInstance ? "InstanceNumber" : "file name")"
            + (step == nil ? ", slice spacing unknown (give --voxel-size)" : "")
        return (slices, step, note)
    }
}
